package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;

import dev.veil.server.config.ConfigException;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.PostgresProcess;
import dev.veil.server.testing.RedisProcess;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code veil.limits.shared} that cannot work stops startup with a message naming the key, never the password. */
class SharedLimitsConfigTest {
    private static FakeOpenAiUpstream upstream;
    private static PostgresProcess postgres;
    private static RedisProcess redis;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        postgres = PostgresProcess.start();
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
        redis.close();
        postgres.close();
    }

    private String config(String store, String shared) {
        return VeilUnderTest.config(upstream, "  data-dir: \"" + dataDir + "\"\n" + store + "  limits:\n"
                + "    shared:\n" + shared);
    }

    private String postgresStore() throws Exception {
        return postgres.storeYaml(postgres.createDatabase());
    }

    @Test
    void sharedLimitsWithTheEmbeddedStoreAreRefused() {
        String yaml = config("", "      {kind: redis, url: \"" + redis.url() + "\"}\n");

        assertThatThrownBy(() -> VeilUnderTest.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.limits.shared.kind").hasMessageContaining("veil.store.kind to postgres");
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithoutRepeatingIt() throws Exception {
        String yaml = config(postgresStore(), "      {kind: redis, url: \"redis://:url-secret-42@127.0.0.1:6379\"}\n");

        assertThatThrownBy(() -> VeilUnderTest.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.limits.shared.url").hasMessageNotContaining("url-secret-42");
    }

    @Test
    void anUnknownFailModeIsRefusedNamingTheChoices() throws Exception {
        String yaml = config(postgresStore(), "      {kind: redis, url: \"" + redis.url() + "\", fail-mode: maybe}\n");

        assertThatThrownBy(() -> VeilUnderTest.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.limits.shared.fail-mode").hasMessageContaining("closed")
                .hasMessageContaining("open");
    }

    @Test
    void anUnreachableRedisStopsStartupNamingTheUrl() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String yaml = config(postgresStore(), "      {kind: redis, url: \"redis://127.0.0.1:" + closedPort
                + "\", password: unreachable-redis-secret}\n");

        assertThatThrownBy(() -> VeilUnderTest.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.limits.shared.url: Redis at 127.0.0.1:" + closedPort)
                .hasMessageNotContaining("unreachable-redis-secret");
    }

    @Test
    void aWrongPasswordStopsStartupSayingSoWithoutRepeatingIt() throws Exception {
        String yaml = config(postgresStore(), "      {kind: redis, url: \"" + redis.url()
                + "\", password: wrong-redis-secret}\n");

        assertThatThrownBy(() -> VeilUnderTest.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("refused the password").hasMessageNotContaining("wrong-redis-secret");
    }
}
