package dev.veil.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.NodeId;
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

    @Test
    void theNodeIdIsTheHostNameVariableUnlessSet() {
        Map<String, String> pod = Map.of("HOSTNAME", "veil-5f7c9-x2x4q");

        assertThat(load("{key-file: k}", pod).audit().orElseThrow().nodeId()).isEqualTo("veil-5f7c9-x2x4q");
        assertThat(load("{key-file: k}\n  node-id: veil-0", pod).audit().orElseThrow().nodeId())
                .isEqualTo("veil-0");
    }

    @Test
    void withoutTheVariableTheNodeIdIsTheMachinesHostName() {
        assertThat(NodeId.valid(load("{key-file: k}").audit().orElseThrow().nodeId())).isTrue();
    }

    @Test
    void aHostNameThatIsNoNodeIdStopsStartupAskingForOne() {
        assertThatThrownBy(() -> load("{key-file: k}", Map.of("HOSTNAME", "my host")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.node-id: not set, and the host name in HOSTNAME 'my host' is not a "
                        + "node id")
                .hasMessageContaining("set veil.node-id");
    }

    @Test
    void aBadNodeIdStopsStartupEvenWithoutAnAuditLog() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("""
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers: {veil: {kind: echo}}
                  node-id: "veil 0"
                """, Map.<String, String>of()::get)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.node-id: must be 1 to 64 characters");
    }

    private static VeilConfig load(String audit) {
        return load(audit, Map.of());
    }

    private static VeilConfig load(String audit, Map<String, String> environment) {
        return ConfigLoader.fromYaml(BASE.formatted(audit), environment::get);
    }
}
