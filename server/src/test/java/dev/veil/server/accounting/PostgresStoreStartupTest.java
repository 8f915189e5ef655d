package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.ConfigException;
import dev.veil.server.storage.PostgresSchema;
import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.PostgresProcess;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Veil starting on a PostgreSQL store: several replicas at once, and a database it cannot use. */
class PostgresStoreStartupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PostgresProcess postgres;
    private static FakeOpenAiUpstream upstream;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresProcess.start();
        upstream = new FakeOpenAiUpstream();
    }

    @AfterAll
    static void stop() throws Exception {
        if (upstream != null) {
            upstream.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void twoReplicasStartingAtOnceOnAnEmptyDatabaseBothComeUpAndMigrateOnce() throws Exception {
        String database = postgres.createDatabase();
        CountDownLatch ready = new CountDownLatch(2);
        List<VeilUnderTest> replicas = new ArrayList<>();
        try (ExecutorService starters = Executors.newFixedThreadPool(2)) {
            List<Future<VeilUnderTest>> started = new ArrayList<>();
            for (String replica : List.of("a", "b")) {
                String yaml = VeilUnderTest.config(upstream, "  data-dir: \"" + dataDir.resolve(replica) + "\"\n"
                        + postgres.storeYaml(database));
                started.add(starters.submit(() -> {
                    ready.countDown();
                    ready.await();
                    return VeilUnderTest.start(yaml);
                }));
            }
            for (Future<VeilUnderTest> replica : started) {
                replicas.add(replica.get());
            }
        }
        try {
            VeilUnderTest a = replicas.get(0);
            VeilUnderTest b = replicas.get(1);
            assertThat(versions(database)).containsExactly("1 accounting", "2 spend_stream", "3 user_dimension");

            assertThat(a.post("/admin/tenants", "{\"name\": \"acme\"}").statusCode()).isEqualTo(201);
            assertThat(JSON.readTree(b.get("/admin/tenants").body()).path("data").findValuesAsText("name"))
                    .as("tenants replica B lists after replica A created one").containsExactly("acme");

            assertThat(chat(a).statusCode()).isEqualTo(200);
            assertThat(chat(b).statusCode()).isEqualTo(200);
            b.get("/admin/usage");
            JsonNode usage = JSON.readTree(a.get("/admin/usage").body());
            assertThat(usage.path("total_requests").asLong()).as("requests both replicas recorded").isEqualTo(2);
            assertThat(usage.path("data")).hasSize(1);
        } finally {
            replicas.forEach(VeilUnderTest::close);
        }
    }

    @Test
    void aDatabaseFromBeforeTheUserDimensionKeepsItsSpendAndBudgetsUnderNoUser() throws Exception {
        String database = postgres.createDatabase();
        try (Connection connection = postgres.connect(database); Statement s = connection.createStatement()) {
            PostgresSchema.migrate(connection, "veil.store.url", "test",
                    PostgresSchema.load(PostgresStore.MIGRATIONS.subList(0, 2)));
            s.executeUpdate("INSERT INTO spend VALUES ('" + LocalDate.ofInstant(FakeClock.START, ZoneOffset.UTC)
                    + "', 'master', 'acme', 'default', 'openai/gpt-4o', 3, 30, 10, 0, 0, 1500)");
            s.executeUpdate("INSERT INTO budgets VALUES ('tenant:acme', 'tenant', 'acme', '', '', 'month', 5000000, "
                    + "0)");
        }

        try (KeysFixture veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, postgres.storeYaml(database))) {
            JsonNode usage = veil.json(veil.veil.get("/admin/usage"));
            JsonNode budgets = veil.json(veil.veil.get("/admin/budgets"));
            assertThat(usage.path("data")).hasSize(1);
            assertThat(usage.at("/data/0/user").asText()).isEmpty();
            assertThat(usage.at("/data/0/requests").asLong()).isEqualTo(3);
            assertThat(budgets.at("/data/0/spent_usd").decimalValue()).isEqualByComparingTo("0.0015");
            assertThat(veil.chat(VeilUnderTest.MASTER_KEY, "smart", "Hello").statusCode()).isEqualTo(200);
            assertThat(veil.json(veil.veil.get("/admin/usage")).path("total_requests").asLong()).isEqualTo(4);
        }
        assertThat(versions(database)).containsExactly("1 accounting", "2 spend_stream", "3 user_dimension");
    }

    @Test
    void anUnreachableDatabaseStopsStartupNamingTheUrlAndNeverThePassword() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String yaml = VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  store:
                    kind: postgres
                    url: "jdbc:postgresql://127.0.0.1:%d/veil"
                    username: veil
                    password: "unreachable-db-secret"
                    connect-timeout: 1s
                """.formatted(dataDir, closedPort));

        assertThatThrownBy(() -> VeilUnderTest.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.store.url: cannot connect to PostgreSQL at 127.0.0.1:" + closedPort
                        + "/veil").hasMessageNotContaining("unreachable-db-secret");
    }

    @Test
    void aWrongPasswordStopsStartupNamingTheCredentialsAndNeverThePassword() throws Exception {
        String yaml = VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  store: {kind: postgres, url: "%s", username: %s, password: "wrong-db-secret"}
                """.formatted(dataDir, postgres.url(postgres.createDatabase()), PostgresProcess.USER));

        assertThatThrownBy(() -> VeilUnderTest.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.store: PostgreSQL at 127.0.0.1:" + postgres.port())
                .hasMessageContaining("refused the login").hasMessageNotContaining("wrong-db-secret")
                .hasMessageNotContaining(PostgresProcess.PASSWORD);
    }

    @Test
    void aMissingDatabaseStopsStartupSayingSo() {
        String yaml = VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  store: {kind: postgres, url: "%s", username: %s, password: "%s"}
                """.formatted(dataDir, postgres.url("no_such_db"), PostgresProcess.USER, PostgresProcess.PASSWORD));

        assertThatThrownBy(() -> VeilUnderTest.start(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("has no such database").hasMessageNotContaining(PostgresProcess.PASSWORD);
    }

    private static HttpResponse<String> chat(VeilUnderTest veil) {
        return veil.post("/v1/chat/completions", """
                {"model": "smart", "max_tokens": 5, "messages": [{"role": "user", "content": "Hello"}]}""");
    }

    private static List<String> versions(String database) throws Exception {
        List<String> versions = new ArrayList<>();
        try (Connection connection = postgres.connect(database); Statement s = connection.createStatement();
             ResultSet rows = s.executeQuery("SELECT version, description FROM schema_version ORDER BY version")) {
            while (rows.next()) {
                versions.add(rows.getInt(1) + " " + rows.getString(2));
            }
        }
        return versions;
    }
}
