package dev.veil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ManagementConfigTest {
    private static VeilConfig load(String management) {
        return ConfigLoader.fromYaml("""
                server: {port: 8080}
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers: {veil: {kind: echo}}
                """ + (management.isEmpty() ? "" : "  management: " + management + "\n"),
                Map.<String, String>of()::get);
    }

    @Test
    void isOffWithoutTheSection() {
        assertThat(load("").management()).isEmpty();
    }

    @Test
    void anEmptySectionListensOnLoopbackAtThePrometheusExporterPort() {
        assertThat(load("{}").management()).contains(new ManagementConfig("127.0.0.1", 9464, "/metrics"));
    }

    @Test
    void everySettingIsRead() {
        assertThat(load("{host: 0.0.0.0, port: 9100, path: /internal/metrics}").management())
                .contains(new ManagementConfig("0.0.0.0", 9100, "/internal/metrics"));
        assertThat(load("{enabled: false, port: 9100}").management()).isEqualTo(Optional.empty());
    }

    @Test
    void refusesTheApiPort() {
        assertThatThrownBy(() -> load("{port: 8080}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.management.port").hasMessageContaining("server.port");
    }

    @Test
    void refusesAPortOutOfRange() {
        assertThatThrownBy(() -> load("{port: 70000}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.management.port");
    }

    @Test
    void refusesAPathThatIsNotOneOrWouldHideTheHealthChecks() {
        for (String path : new String[] {"metrics", "/health/metrics", "/", "/a b"}) {
            assertThatThrownBy(() -> load("{path: \"" + path + "\"}")).as(path).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("veil.management.path");
        }
    }

    @Test
    void refusesAnUnknownKey() {
        assertThatThrownBy(() -> load("{prot: 9100}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.management.prot");
    }
}
