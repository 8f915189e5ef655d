package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.VeilConfig;
import org.junit.jupiter.api.Test;

class AuditConfigTest {
    private static final String BASE = """
            veil:
              opa: {enabled: false}
              master-key: test-master-key
              providers: {veil: {kind: echo}}
              audit: %s
            """;

    @Test
    void anUnknownAuditKeyIsNamed() {
        assertThatThrownBy(() -> load("{key-file: k, retention: 30d}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.audit.retention: unknown key");
    }

    @Test
    void aLogWithoutAKeySourceIsRefused() {
        assertThatThrownBy(() -> load("{mode: sync}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.audit: no key source");
    }

    @Test
    void anUnsetKeyVariableIsNamed() {
        assertThatThrownBy(() -> load("{key-env: VEIL_AUDIT_KEY}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.audit.key-env: environment variable VEIL_AUDIT_KEY is not set");
    }

    @Test
    void anUnknownModeIsNamedWithTheChoices() {
        assertThatThrownBy(() -> load("{key-file: k, mode: later}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.audit.mode: must be sync");
    }

    @Test
    void flushesEachCommitToTheDiskOnlyWhenToldTo() {
        assertThat(load("{key-file: k}").audit().orElseThrow().fsync()).isFalse();
        assertThat(load("{key-file: k, fsync: true}").audit().orElseThrow().fsync()).isTrue();
    }

    private static VeilConfig load(String audit) {
        return ConfigLoader.fromYaml(BASE.formatted(audit), Map.<String, String>of()::get);
    }
}
