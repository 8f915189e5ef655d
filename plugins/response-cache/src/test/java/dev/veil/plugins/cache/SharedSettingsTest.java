package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginSettings;

class SharedSettingsTest {
    private static final String KEY = Base64.getEncoder().encodeToString(AnswerSealTest.key(7));

    @TempDir
    Path dir;

    private static Map<String, Object> shared(String... pairs) {
        Map<String, Object> values = new HashMap<>(Map.of("kind", "redis", "url", "redis://cache:6380/2", "key", KEY));
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                values.remove(pairs[i]);
            } else {
                values.put(pairs[i], pairs[i + 1]);
            }
        }
        return values;
    }

    private static SharedSettings read(Map<String, Object> shared) {
        return CacheSettings.from(new PluginSettings("veil.plugins[1]", Map.of("ttl", "5m", "shared", shared)))
                .shared().orElseThrow();
    }

    private static void assertRejected(Map<String, Object> shared, String key, String... words) {
        assertThatThrownBy(() -> read(shared)).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[1].shared." + key).hasMessageContainingAll(words)
                .hasMessageNotContaining(KEY);
    }

    @Test
    void readsTheLocationKeyAndDefaults() {
        SharedSettings settings = read(shared());

        assertThat(settings.tls()).isFalse();
        assertThat(settings.host()).isEqualTo("cache");
        assertThat(settings.port()).isEqualTo(6380);
        assertThat(settings.database()).isEqualTo(2);
        assertThat(settings.username()).isEmpty();
        assertThat(settings.password()).isEmpty();
        assertThat(settings.key()).isEqualTo(AnswerSealTest.key(7));
        assertThat(settings.timeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(settings.ttl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.poolSize()).isEqualTo(32);
    }

    @Test
    void readsEverySetting() {
        SharedSettings settings = read(shared("url", "rediss://[::1]", "username", "veil", "password", "s3cret",
                "timeout", "250ms", "ttl", "1h", "pool-size", "8"));

        assertThat(settings.tls()).isTrue();
        assertThat(settings.host()).isEqualTo("::1");
        assertThat(settings.port()).isEqualTo(6379);
        assertThat(settings.database()).isZero();
        assertThat(settings.username()).hasValue("veil");
        assertThat(settings.password()).hasValue("s3cret");
        assertThat(settings.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.ttl()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.poolSize()).isEqualTo(8);
        assertThat(settings.location()).isEqualTo("rediss://[::1]:6379/0");
    }

    @Test
    void readsThePasswordAndKeyFromFiles() throws Exception {
        Files.writeString(dir.resolve("password"), "from-file\n");
        Files.writeString(dir.resolve("key"), KEY + "\n");

        SharedSettings settings = read(shared("key", null, "password-file", dir.resolve("password").toString(),
                "key-file", dir.resolve("key").toString()));

        assertThat(settings.password()).hasValue("from-file");
        assertThat(settings.key()).isEqualTo(AnswerSealTest.key(7));
    }

    @Test
    void hidesThePasswordAndKeyWhenPrinted() {
        String printed = read(shared("password", "s3cret")).toString();

        assertThat(printed).contains("redis://cache:6380/2").doesNotContain("s3cret", KEY);
    }

    @Test
    void refusesAPasswordInTheUrl() {
        assertRejected(shared("url", "redis://:s3cret@cache:6379"), "url", "must not hold credentials", "password");
        assertThatThrownBy(() -> read(shared("url", "redis://veil:s3cret@cache:6379")))
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void refusesAUrlOfAnotherScheme() {
        assertRejected(shared("url", "http://cache:6379"), "url", "redis://");
    }

    @Test
    void refusesAUrlWithoutHost() {
        assertRejected(shared("url", "redis:///0"), "url", "host");
    }

    @Test
    void refusesAPathThatIsNotADatabaseNumber() {
        assertRejected(shared("url", "redis://cache:6379/cache"), "url", "database number");
    }

    @Test
    void refusesAMissingUrl() {
        assertRejected(shared("url", null), "url", "is required");
    }

    @Test
    void refusesAMissingKey() {
        assertRejected(shared("key", null), "key", "is required", "openssl rand -base64 32", "every replica");
    }

    @Test
    void refusesAShortKey() {
        assertRejected(shared("key", Base64.getEncoder().encodeToString(new byte[16])), "key", "256-bit",
                "got 16 bytes");
    }

    @Test
    void refusesAKeyThatIsNotBase64() {
        assertRejected(shared("key", "not base64 at all!"), "key", "not base64");
    }

    @Test
    void refusesBothKeyAndKeyFile() {
        assertRejected(shared("key-file", "/etc/veil/cache.key"), "key-file", "not both");
    }

    @Test
    void refusesAnUnreadableKeyFile() {
        assertRejected(shared("key", null, "key-file", dir.resolve("missing").toString()), "key-file",
                "cannot read");
    }

    @Test
    void refusesAnEmptyPasswordFile() throws Exception {
        Files.writeString(dir.resolve("empty"), "\n");

        assertRejected(shared("password-file", dir.resolve("empty").toString()), "password-file", "is empty");
    }

    @Test
    void refusesAnotherKind() {
        assertRejected(shared("kind", "memcached"), "kind", "redis");
        assertRejected(shared("kind", null), "kind", "is required");
    }

    @Test
    void refusesATimeoutOutOfRange() {
        assertRejected(shared("timeout", "0s"), "timeout", "between 1ms and 250ms");
        assertRejected(shared("timeout", "251ms"), "timeout", "between 1ms and 250ms");
    }

    @Test
    void refusesAnUnknownSetting() {
        assertRejected(shared("host", "cache"), "host", "unknown setting");
    }
}
