package dev.veil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ResponsesConfigTest {
    private static final String BASE = """
            veil:
              opa: {enabled: false}
              master-key: test-master-key
              data-dir: /var/lib/veil
              providers: {veil: {kind: echo}}
            """;

    @Test
    void withoutTheSectionEveryDefaultApplies() {
        ResponsesConfig responses = ConfigLoader.fromYaml(BASE, Map.<String, String>of()::get).responses();

        assertThat(responses).isEqualTo(ResponsesConfig.defaults(Path.of("/var/lib/veil")));
        assertThat(responses.enabled()).isTrue();
        assertThat(responses.ttl()).isEqualTo(Duration.ofDays(30));
        assertThat(responses.database()).isEqualTo(Path.of("/var/lib/veil/responses.db"));
        assertThat(responses.memoryTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(responses.maxMemoryBytes()).isEqualTo(Math.min(256L * 1024 * 1024,
                Runtime.getRuntime().maxMemory() / 8));
        assertThat(responses.maxTurns()).isEqualTo(200);
        assertThat(responses.sweepInterval()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void everySettingIsRead() {
        ResponsesConfig responses = load("{enabled: false, ttl: P7D, file: /srv/r.db, memory-ttl: 10m, "
                + "max-memory-bytes: 5MiB, max-turns: 20, sweep-interval: 30s, max-conversation-bytes: 4MiB}");

        assertThat(responses).isEqualTo(new ResponsesConfig(false, Duration.ofDays(7), Path.of("/srv/r.db"),
                Duration.ofMinutes(10), 5L * 1024 * 1024, 20, Duration.ofSeconds(30), 4L * 1024 * 1024));
    }

    @Test
    void aZeroTtlIsRefusedWithAnExample() {
        assertThatThrownBy(() -> load("{ttl: 0s}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.responses.ttl: must be above zero, got '0s'")
                .hasMessageContaining("720h");
    }

    @Test
    void aTtlInDaysIsShownHowToWriteIt() {
        assertThatThrownBy(() -> load("{ttl: 30d}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.responses.ttl: '30d' is not a duration")
                .hasMessageContaining("P30D");
    }

    @Test
    void aNegativeMemoryTtlIsRefused() {
        assertThatThrownBy(() -> load("{memory-ttl: -PT1S}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.responses.memory-ttl: must be above zero");
    }

    @Test
    void aZeroSweepIntervalIsRefused() {
        assertThatThrownBy(() -> load("{sweep-interval: 0ms}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.responses.sweep-interval: must be above zero");
    }

    @Test
    void zeroTurnsAreRefused() {
        assertThatThrownBy(() -> load("{max-turns: 0}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.responses.max-turns: must be between 1 and");
    }

    @Test
    void lessThanAMebibyteOfMemoryIsRefused() {
        assertThatThrownBy(() -> load("{max-memory-bytes: 1000}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.responses.max-memory-bytes: must be at least 1MiB");
    }

    @Test
    void moreMemoryThanHalfTheHeapIsRefused() {
        long tooMuch = Runtime.getRuntime().maxMemory() / 2 + 1;

        assertThatThrownBy(() -> load("{max-memory-bytes: " + tooMuch + "}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.responses.max-memory-bytes: is more than half of this JVM's heap")
                .hasMessageContaining("-Xmx");
    }

    @Test
    void anUnknownKeyIsNamed() {
        assertThatThrownBy(() -> load("{retention: 30d}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.responses.retention: unknown key");
    }

    private static ResponsesConfig load(String responses) {
        return ConfigLoader.fromYaml(BASE + "  responses: " + responses + "\n", Map.<String, String>of()::get)
                .responses();
    }
}
