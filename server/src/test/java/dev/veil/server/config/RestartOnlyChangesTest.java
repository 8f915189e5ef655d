package dev.veil.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Which changes a reload refuses: those to keys that take effect only at startup, and no others. */
class RestartOnlyChangesTest {
    private static final String CONFIG = """
            server: {host: 127.0.0.1, port: 8080}
            veil:
              opa: {enabled: false}
              master-key: ${MASTER}
              data-dir: /var/lib/veil
              providers:
                openai: {kind: openai, api-key: "${OPENAI_API_KEY}"}
              models:
                smart: {targets: ["openai/gpt-4o"]}
              audit: {key-env: AUDIT_KEY}
              management: {port: 9464}
            """;
    private static final Map<String, String> ENVIRONMENT = Map.of("MASTER", "master-key-1", "OPENAI_API_KEY",
            "sk-1", "AUDIT_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");

    private static VeilConfig load(String yaml) {
        return ConfigLoader.fromYaml(yaml, ENVIRONMENT::get);
    }

    @Test
    void theSameTextLoadedTwiceChangesNothing() {
        assertThat(load(CONFIG).restartOnlyChanges(load(CONFIG))).isEmpty();
    }

    @Test
    void providersModelsPricesAndTheMasterKeyReload() {
        String next = CONFIG.replace("gpt-4o\"]", "gpt-4o-mini\"]").replace("${MASTER}", "master-key-2")
                .replace("  models:", "  prices: [{model: openai/gpt-4o, input: 1, output: 2}]\n  models:")
                .replace("kind: openai,", "kind: openai, base-url: \"http://127.0.0.1:1\",");

        assertThat(load(CONFIG).restartOnlyChanges(load(next))).isEmpty();
    }

    @Test
    void theListenAddressDataDirManagementAndAuditNeedARestart() {
        String next = CONFIG.replace("port: 8080", "port: 8081").replace("/var/lib/veil", "/srv/veil")
                .replace("port: 9464", "port: 9465").replace("key-env: AUDIT_KEY", "key-env: AUDIT_KEY, mode: async");

        assertThat(load(CONFIG).restartOnlyChanges(load(next))).contains("server.port", "veil.data-dir",
                "veil.management", "veil.audit");
    }

    @Test
    void theReloadModeNeedsARestart() {
        assertThat(load(CONFIG).restartOnlyChanges(load(CONFIG + "  reload: watch\n"))).containsExactly("veil.reload");
    }
}
