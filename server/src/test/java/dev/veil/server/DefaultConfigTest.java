package dev.veil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
    void takesBedrocksRegionFromAwsDefaultRegionWhenAwsRegionIsUnset() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(),
                "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret", "AWS_DEFAULT_REGION",
                "ap-south-1")::get);

        assertThat(config.providers().get("bedrock").region()).hasValue("ap-south-1");
        assertThat(config.providers().get("bedrock").awsSessionToken()).isEmpty();
    }

    @Test
    void callsBedrockInUsEast1WhenNoAwsRegionIsSet() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(),
                "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret")::get);

        assertThat(config.providers().get("bedrock").region()).hasValue("us-east-1");
    }

    @Test
    void enablesEveryOptionalProviderOnceItsVariablesAreSet() {
        Map<String, String> environment = new HashMap<>(Map.of("VEIL_OPA_URL", OPA_URL,
                "VEIL_DATA_DIR", dataDir.toString(), "AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com",
                "OLLAMA_HOST", "http://127.0.0.1:11434", "VLLM_BASE_URL", "http://127.0.0.1:8000/v1"));
        DefaultConfig.optionalProviders().values().forEach(variables -> variables.forEach(variable ->
                environment.putIfAbsent(variable, "value-of-" + variable)));

        VeilConfig config = DefaultConfig.create(environment::get);

        Set<String> expected = new TreeSet<>(DefaultConfig.optionalProviders().keySet());
        expected.add("veil");
        assertThat(config.providers().keySet()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void listsInItsResourceOnlyProvidersItKnowsHowToEnable() throws Exception {
        String providers;
        try (InputStream in = DefaultConfig.class.getResourceAsStream("default-providers.yaml")) {
            providers = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(providers.lines().filter(line -> line.matches("[a-z-]+:.*")).map(line -> line.substring(0,
                line.indexOf(':')))).containsExactlyInAnyOrderElementsOf(DefaultConfig.optionalProviders().keySet());
    }

    @Test
    void namesTheMissingEndpointWhenOnlyAzuresKeyIsSet() {
        assertThatThrownBy(() -> DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(), "AZURE_OPENAI_API_KEY", "az-1")::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.providers.azure.base-url")
                .hasMessageContaining("AZURE_OPENAI_ENDPOINT");
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
    void generatesAMasterKeyWhenVeilMasterKeyIsBlank() {
        VeilConfig config = DefaultConfig.create(Map.of("VEIL_OPA_URL", OPA_URL, "VEIL_DATA_DIR",
                dataDir.toString(), "VEIL_MASTER_KEY", " ")::get);

        assertThat(dataDir.resolve("master-key")).exists();
        assertThat(config.masterKey().matches(" ")).isFalse();
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
