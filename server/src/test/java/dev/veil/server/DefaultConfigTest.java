package dev.veil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.PluginEntry;
import dev.veil.server.config.VeilConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultConfigTest {
    private static final String OPA_URL = "http://127.0.0.1:8181";

    @TempDir
    Path dataDir;

    @Test
    void servesOnlyTheEchoModelWhenNoProviderKeyIsSet() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL,
                "VEIL_DATA_DIR", dataDir.toString())::get);

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.providers()).containsOnlyKeys("veil");
    }

    @Test
    void redactsPersonalDataAndRoutesByDefault() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL,
                "VEIL_DATA_DIR", dataDir.toString())::get);

        assertThat(config.plugins()).extracting(PluginEntry::name).containsExactly("pii-redaction", "routing");
    }

    @Test
    void enablesEachProviderWhoseKeyIsInTheEnvironment() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(),
                "OPENAI_API_KEY", "sk-1", "MISTRAL_API_KEY", "m-1", "GROQ_API_KEY", "g-1")::get);

        assertThat(config.providers()).containsOnlyKeys("veil", "openai", "mistral", "groq");
        assertThat(config.providers().get("mistral").preset()).hasValue("mistral");
    }

    @Test
    void enablesBedrockWhenAwsCredentialsAreInTheEnvironment() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(),
                "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret", "AWS_REGION", "eu-west-1",
                "AWS_SESSION_TOKEN", "token")::get);

        assertThat(config.providers()).containsKey("bedrock");
        assertThat(config.providers().get("bedrock").region()).hasValue("eu-west-1");
        assertThat(config.providers().get("bedrock").awsSessionToken()).isPresent();
    }

    @Test
    void leavesBedrockOutWithoutBothAwsKeys() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(),
                "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")::get);

        assertThat(config.providers()).doesNotContainKey("bedrock");
    }

    @Test
    void generatesAMasterKeyOnceAndKeepsItPrivate() throws Exception {
        VeilConfig first = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL,
                "VEIL_DATA_DIR", dataDir.toString())::get);
        VeilConfig second = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL,
                "VEIL_DATA_DIR", dataDir.toString())::get);

        Path keyFile = dataDir.resolve("master-key");
        String key = Files.readString(keyFile).trim();
        assertThat(key).startsWith("sk-veil-").hasSizeGreaterThan(40);
        assertThat(first.masterKey().matches(key)).isTrue();
        assertThat(second.masterKey().matches(key)).isTrue();
        assertThat(Files.getPosixFilePermissions(keyFile)).hasSize(2);
    }

    @Test
    void prefersTheMasterKeyFromTheEnvironment() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(),
                "VEIL_MASTER_KEY", "chosen-master-key")::get);

        assertThat(config.masterKey().matches("chosen-master-key")).isTrue();
        assertThat(dataDir.resolve("master-key")).doesNotExist();
    }

    @Test
    void checksEveryRequestAgainstTheOpaThatVeilOpaUrlNames() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL,
                "VEIL_DATA_DIR", dataDir.toString())::get);

        assertThat(config.opa()).hasValueSatisfying(opa -> assertThat(opa.url().toString()).isEqualTo(OPA_URL));
    }

    @Test
    void keepsADataDirWhosePathHoldsYamlSyntax() throws Exception {
        Path odd = dataDir.resolve("it's: \"#1\" ü");

        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL,
                "VEIL_DATA_DIR", odd.toString())::get);

        assertThat(config.dataDir()).isEqualTo(odd);
        assertThat(config.audit()).hasValueSatisfying(audit -> assertThat(audit.key())
                .isEqualTo(new AuditConfig.KeyFile(odd.resolve("audit-key"))));
        assertThat(config.masterKey().matches(Files.readString(odd.resolve("master-key")).trim())).isTrue();
    }

    @Test
    void refusesToStartWithoutAPolicyEngine() {
        assertThatThrownBy(() -> DefaultConfig.create(Map.of("VEIL_DATA_DIR", dataDir.toString())::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VEIL_OPA_URL");
    }
}
