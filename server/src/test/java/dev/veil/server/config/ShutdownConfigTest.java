package dev.veil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ShutdownConfigTest {
    private static ShutdownConfig load(String shutdown) {
        return ConfigLoader.fromYaml("""
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers: {veil: {kind: echo}}
                """ + (shutdown.isEmpty() ? "" : "  shutdown: " + shutdown + "\n"),
                Map.<String, String>of()::get).shutdown();
    }

    @Test
    void withoutTheSectionDrainsFiveSecondsAndWaitsTwentyForRequestsInFlight() {
        assertThat(load("")).isEqualTo(new ShutdownConfig(Duration.ofSeconds(5), Duration.ofSeconds(20)));
    }

    @Test
    void everySettingIsRead() {
        assertThat(load("{drain-delay: 0s, deadline: 2m}")).isEqualTo(new ShutdownConfig(Duration.ZERO,
                Duration.ofMinutes(2)));
    }

    @Test
    void refusesANegativeDrainDelayAndANoDeadline() {
        assertThatThrownBy(() -> load("{drain-delay: -1s}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.shutdown.drain-delay");
        assertThatThrownBy(() -> load("{deadline: 0s}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.shutdown.deadline");
        assertThatThrownBy(() -> load("{grace: 1s}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.shutdown.grace");
    }
}
