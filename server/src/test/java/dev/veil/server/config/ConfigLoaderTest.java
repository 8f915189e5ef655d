package dev.veil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.veil.server.providers.ProviderRegistry;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final Map<String, String> ENV = Map.of("OPENAI_API_KEY", "sk-from-env", "VEIL_MASTER_KEY",
            "master-from-env");

    private static VeilConfig load(String yaml) {
        return ConfigLoader.fromYaml(yaml, ENV::get);
    }

    @Test
    void readsTheDocumentedShape() {
        VeilConfig config = load("""
                server: {host: 127.0.0.1, port: 8080}
                veil:
                  opa: {enabled: false}
                  master-key: ${VEIL_MASTER_KEY}
                  providers:
                    openai: {kind: openai, base-url: "https://api.openai.com/v1", api-key: "${OPENAI_API_KEY}"}
                  models:
                    smart: {targets: ["openai/gpt-4o"]}
                """);

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.masterKey().matches("master-from-env")).isTrue();
        ProviderConfig openai = config.providers().get("openai");
        assertThat(openai.kind()).isEqualTo(ProviderKind.OPENAI);
        assertThat(openai.apiKey()).hasValueSatisfying(key -> assertThat(key.reveal()).isEqualTo("sk-from-env"));
        assertThat(openai.zeroRetention()).isFalse();
        assertThat(config.models().get("smart").targets()).containsExactly(new TargetRef("openai", "gpt-4o"));
    }

    @Test
    void keepsUpstreamConnectionsThirtySecondsByDefault() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers:
                    openai: {kind: openai, api-key: k}
                """);

        assertThat(config.upstreamIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void rejectsANegativeUpstreamIdleTimeout() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  upstream: {idle-timeout: -PT1S}
                  providers:
                    openai: {kind: openai, api-key: k}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.upstream.idle-timeout")
                .hasMessageContaining("must not be negative");
    }

    @Test
    void waitsForClientsWithinTheDefaultTimeouts() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers:
                    openai: {kind: openai, api-key: k}
                """);

        assertThat(config.clientTimeouts()).isEqualTo(new ClientTimeouts(Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(75)));
    }

    @Test
    void readsClientTimeoutsUnderLimits() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  limits: {header-timeout: 5s, body-idle-timeout: 7s, body-timeout: 1m, idle-timeout: 500ms}
                  providers:
                    openai: {kind: openai, api-key: k}
                """);

        assertThat(config.clientTimeouts()).isEqualTo(new ClientTimeouts(Duration.ofSeconds(5),
                Duration.ofSeconds(7), Duration.ofMinutes(1), Duration.ofMillis(500)));
    }

    @Test
    void rejectsAClientTimeoutOfZero() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  limits: {header-timeout: 0s}
                  providers:
                    openai: {kind: openai, api-key: k}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.limits.header-timeout")
                .hasMessageContaining("must be above zero");
    }

    @Test
    void rejectsASampleRatioThatIsNotANumber() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  telemetry: {sample-ratio: NaN}
                  providers:
                    openai: {kind: openai, api-key: k}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.telemetry.sample-ratio")
                .hasMessageContaining("must be a number from 0 to 1");
    }

    @Test
    void readsRegionZeroRetentionAndTimeouts() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  upstream: {connect-timeout: 500ms, read-timeout: 30s, idle-timeout: 4s}
                  providers:
                    eu: {kind: openai-compatible, preset: mistral, api-key: k, region: eu, zero-retention: true}
                    slow: {kind: openai, api-key: k, read-timeout: 20m}
                """);

        ProviderConfig eu = config.providers().get("eu");
        assertThat(eu.region()).hasValue("eu");
        assertThat(eu.zeroRetention()).isTrue();
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.upstreamIdleTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(eu.readTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.providers().get("slow").readTimeout()).isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void usesTheDefaultWhenAnEnvironmentReferenceHasOne() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: ${UNSET_KEY:-fallback-master}
                  providers: {veil: {kind: echo}}
                """);

        assertThat(config.masterKey().matches("fallback-master")).isTrue();
    }

    @Test
    void namesTheKeyAndTheVariableWhenAnEnvironmentVariableIsMissing() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers:
                    groq: {kind: openai-compatible, preset: groq, api-key: "${GROQ_API_KEY}"}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.providers.groq.api-key")
                .hasMessageContaining("GROQ_API_KEY is not set");
    }

    @Test
    void rejectsAnUnknownKindListingTheKnownOnes() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers: {x: {kind: opnai}}
                """))
                .hasMessageContaining("veil.providers.x.kind")
                .hasMessageContaining("openai, azure-openai, openai-compatible");
    }

    @Test
    void rejectsAMisspelledKey() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers: {x: {kind: openai, api-key: k, bse-url: "http://x"}}
                """))
                .hasMessageContaining("veil.providers.x.bse-url")
                .hasMessageContaining("unknown key")
                .hasMessageContaining("base-url");
    }

    @Test
    void rejectsAnAliasToAnUnconfiguredProvider() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers: {openai: {kind: openai, api-key: k}}
                  models: {smart: {targets: ["anthropic/claude"]}}
                """))
                .hasMessageContaining("veil.models.smart.targets[0]")
                .hasMessageContaining("provider 'anthropic' is not configured");
    }

    @Test
    void rejectsAMissingMasterKey() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  providers: {veil: {kind: echo}}
                """))
                .hasMessageContaining("veil.master-key");
    }

    @Test
    void rejectsAPortOutOfRange() {
        assertThatThrownBy(() -> load("""
                server: {port: 70000}
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers: {veil: {kind: echo}}
                """))
                .hasMessageContaining("server.port");
    }

    @Test
    void rejectsABaseUrlThatIsNotHttp() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers: {x: {kind: openai, api-key: k, base-url: "ftp://example.com"}}
                """))
                .hasMessageContaining("veil.providers.x.base-url");
    }

    @Test
    void rejectsAConfigWithoutProviders() {
        assertThatThrownBy(() -> load("veil: {master-key: master-key-1}\n"))
                .hasMessageContaining("veil.providers");
    }

    @Test
    void rejectsAMissingConfigFile() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("does/not/exist.yaml"), ENV::get))
                .hasMessageContaining("does/not/exist.yaml");
    }

    @Test
    void stopsStartupWhenTheUpstreamCaFileIsMissing() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  upstream: {ca-file: does/not/exist.pem}
                  providers: {openai: {kind: openai, api-key: k}}
                """);

        assertThat(config.upstreamCaFile()).hasValue(Path.of("does/not/exist.pem"));
        assertThatThrownBy(() -> ProviderRegistry.create(config))
                .hasMessageContaining("veil.upstream.ca-file")
                .hasMessageContaining("does/not/exist.pem");
    }

    @Test
    void rejectsAnUnknownPresetWhenProvidersAreBuilt() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers: {x: {kind: openai-compatible, preset: mistrl, api-key: k}}
                """);

        assertThatThrownBy(() -> ProviderRegistry.create(config))
                .hasMessageContaining("veil.providers.x.preset")
                .hasMessageContaining("mistral");
    }

    @Test
    void rejectsAPresetThatNeedsAKeyWithoutOne() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers: {m: {kind: openai-compatible, preset: mistral}}
                """);

        assertThatThrownBy(() -> ProviderRegistry.create(config))
                .hasMessageContaining("veil.providers.m.api-key")
                .hasMessageContaining("MISTRAL_API_KEY");
    }

    @Test
    void rejectsAzureWithoutItsEndpoint() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers: {azure: {kind: azure-openai, api-key: k}}
                """);

        assertThatThrownBy(() -> ProviderRegistry.create(config))
                .hasMessageContaining("veil.providers.azure.base-url");
    }

    @Test
    void pointsAtBrokenYamlWithoutQuotingTheLine() {
        assertThatThrownBy(() -> load("""
                veil:
                  opa: {enabled: false}
                  master-key: "sk-live-secret-value
                  providers: {x: [
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML")
                .hasMessageContaining("line ")
                .hasMessageNotContaining("sk-live-secret-value");
    }

    @Test
    void neverPrintsSecrets() {
        VeilConfig config = load("""
                veil:
                  opa: {enabled: false}
                  master-key: master-key-1
                  providers: {openai: {kind: openai, api-key: "${OPENAI_API_KEY}"}}
                """);

        assertThat(config.toString()).doesNotContain("master-key-1").doesNotContain("sk-from-env");
    }

    @Test
    void refusesAConfigWithoutAPolicyEngine() {
        assertThatThrownBy(() -> load("""
                veil:
                  master-key: master-key-1
                  providers: {veil: {kind: echo}}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.opa")
                .hasMessageContaining("${VEIL_OPA_URL}")
                .hasMessageContaining("enabled: false");
    }

    @Test
    void switchesPolicyChecksOffOnlyWhenTheConfigSaysSo() {
        VeilConfig config = load("""
                veil:
                  master-key: master-key-1
                  opa: {enabled: false}
                  providers: {veil: {kind: echo}}
                """);

        assertThat(config.opa()).isEmpty();
    }

    @Test
    void refusesAPolicyEngineThatIsBothOffAndConfigured() {
        assertThatThrownBy(() -> load("""
                veil:
                  master-key: master-key-1
                  opa: {enabled: false, url: "http://127.0.0.1:8181"}
                  providers: {veil: {kind: echo}}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.opa")
                .hasMessageContaining("url");
    }

    @Test
    void readsAnEnabledPolicyEngine() {
        VeilConfig config = load("""
                veil:
                  master-key: master-key-1
                  opa: {enabled: true, url: "http://127.0.0.1:8181"}
                  providers: {veil: {kind: echo}}
                """);

        assertThat(config.opa()).hasValueSatisfying(opa ->
                assertThat(opa.url().toString()).isEqualTo("http://127.0.0.1:8181"));
    }

    @Test
    void namesTheNewKeyWhenAPluginEntrySaysBudget() {
        assertThatThrownBy(() -> load("""
                veil:
                  master-key: master-key-1
                  opa: {enabled: false}
                  providers: {veil: {kind: echo}}
                  plugins:
                    - {name: routing, budget: 50ms}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.plugins[0].budget")
                .hasMessageContaining("renamed to timeout");
    }
}
