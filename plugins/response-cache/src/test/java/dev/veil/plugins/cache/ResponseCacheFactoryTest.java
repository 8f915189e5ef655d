package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import dev.veil.spi.plugin.PluginConfigException;
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
}
