package dev.veil.server.accounting;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.PostgresProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A PostgreSQL store that goes away while Veil runs, and comes back. */
class PostgresStoreOutageTest {
    @TempDir
    Path dataDir;
    private PostgresProcess postgres;
    private KeysFixture veil;

    @BeforeEach
    void start() throws Exception {
        postgres = PostgresProcess.start();
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, postgres.storeYaml(postgres.createDatabase())
                + "    connect-timeout: 1s\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void requestsAreServedWhileTheDatabaseIsDownAndTheirSpendIsWrittenWhenItIsBack() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\"}").path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);
        assertThat(veil.json(veil.veil.get("/admin/usage")).path("total_requests").asLong()).isEqualTo(1);

        postgres.stop();
        HttpResponse<String> during = veil.chat(key, "smart", "Hello while the database is down");
        HttpResponse<String> usageDuring = veil.veil.get("/admin/usage");
        postgres.restart();

        assertThat(during.statusCode()).isEqualTo(200);
        assertThat(usageDuring.statusCode()).isGreaterThanOrEqualTo(500);
        assertThat(usageDuring.body()).doesNotContain(PostgresProcess.PASSWORD);
        await("spend written once the database is back").atMost(Duration.ofSeconds(30)).until(() -> {
            HttpResponse<String> usage = veil.veil.get("/admin/usage");
            return usage.statusCode() == 200 && veil.json(usage).path("total_requests").asLong() == 2;
        });
    }
}
