package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginSettings;

class ResponseCacheFactoryTest {

    private static CacheSettings read(Map<String, ?> values) {
        return CacheSettings.from(new PluginSettings("veil.plugins[1]", values));
    }

    @Test
    void defaultsToTenMinutesTenThousandEntriesAndBypassingZeroRetention() {
        assertThat(read(Map.of())).isEqualTo(new CacheSettings(Duration.ofMinutes(10), 10_000, OptionalLong.empty(),
                false, Optional.empty()));
    }

    @Test
    void readsEverySetting() {
        assertThat(read(Map.of("ttl", "30s", "max-bytes", "1048576", "zero-retention", "memory")))
                .isEqualTo(new CacheSettings(Duration.ofSeconds(30), 10_000, OptionalLong.of(1_048_576), true,
                        Optional.empty()));
    }

    @Test
    void rejectsAZeroTtlNamingTheKey() {
        assertThatThrownBy(() -> read(Map.of("ttl", "0s"))).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[1].ttl");
    }

    @Test
    void rejectsANonPositiveMaxEntriesNamingTheKey() {
        assertThatThrownBy(() -> read(Map.of("max-entries", "0"))).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[1].max-entries");
    }

    @Test
    void rejectsBothBoundsAtOnce() {
        assertThatThrownBy(() -> read(Map.of("max-entries", "10", "max-bytes", "1000")))
                .isInstanceOf(PluginConfigException.class).hasMessageContaining("veil.plugins[1].max-bytes");
    }

    @Test
    void rejectsAnUnknownZeroRetentionMode() {
        assertThatThrownBy(() -> read(Map.of("zero-retention", "disk"))).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[1].zero-retention").hasMessageContaining("bypass or memory");
    }

    @Test
    void rejectsAnUnknownSetting() {
        assertThatThrownBy(() -> read(Map.of("max-size", "10"))).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[1].max-size");
    }

    @Test
    void publishesTheSharedTiersGaugesWithoutConnecting() {
        Map<String, Supplier<Map<Map<String, String>, Long>>> gauges = new TreeMap<>();
        PluginContext context = new PluginContext() {
            @Override
            public String name() {
                return "response-cache";
            }

            @Override
            public System.Logger logger() {
                return System.getLogger("test");
            }

            @Override
            public Path dataDir() {
                throw new UnsupportedOperationException("the cache keeps no files");
            }

            @Override
            public void gauge(String name, String description, Supplier<Map<Map<String, String>, Long>> values) {
                gauges.put(name, values);
            }
        };
        PluginSettings settings = new PluginSettings("veil.plugins[1]", Map.of("shared", Map.of("kind", "redis",
                "url", "redis://127.0.0.1:1", "key", Base64.getEncoder().encodeToString(AnswerSealTest.key(3)))));

        try (Plugin plugin = new ResponseCacheFactory().create(settings, context)) {
            assertThat(gauges).containsOnlyKeys("veil.cache.shared.available", "veil.cache.shared.failures",
                    "veil.cache.shared.rejected", "veil.cache.shared.dropped");
            assertThat(gauges.get("veil.cache.shared.available").get()).isEqualTo(Map.of(Map.of(), 1L));
            assertThat(gauges.get("veil.cache.shared.failures").get()).isEqualTo(Map.of(Map.of(), 0L));
        }
    }
}
