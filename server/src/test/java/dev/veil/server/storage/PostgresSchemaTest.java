package dev.veil.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.veil.server.config.ConfigException;
import dev.veil.server.testing.PostgresProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresSchemaTest {
    private static final List<PostgresSchema.Migration> TWO = List.of(
            new PostgresSchema.Migration(1, "first", "CREATE TABLE first (id INTEGER PRIMARY KEY)"),
            new PostgresSchema.Migration(2, "second", "CREATE TABLE second (id INTEGER PRIMARY KEY); "
                    + "INSERT INTO first VALUES (1)"));
    private static PostgresProcess postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresProcess.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void migrationsStartedAtOnceByManyConnectionsApplyEachVersionOnce() throws Exception {
        String database = postgres.createDatabase();
        int starters = 8;
        CountDownLatch ready = new CountDownLatch(starters);
        List<Callable<List<Integer>>> tasks = new ArrayList<>();
        for (int i = 0; i < starters; i++) {
            tasks.add(() -> {
                try (Connection connection = postgres.connect(database)) {
                    ready.countDown();
                    ready.await();
                    return PostgresSchema.migrate(connection, "veil.store.url", "test", TWO);
                }
            });
        }
        List<Integer> applied = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(starters)) {
            for (Future<List<Integer>> result : pool.invokeAll(tasks)) {
                applied.addAll(result.get());
            }
        }

        assertThat(applied).containsExactly(1, 2);
        assertThat(versions(database)).containsExactly("1 first", "2 second");
        try (Connection connection = postgres.connect(database); Statement s = connection.createStatement();
             ResultSet rows = s.executeQuery("SELECT count(*) FROM first")) {
            rows.next();
            assertThat(rows.getInt(1)).as("rows the second migration inserted").isEqualTo(1);
        }
    }

    @Test
    void aDatabaseUpToDateIsLeftAsItIs() throws Exception {
        String database = postgres.createDatabase();
        try (Connection connection = postgres.connect(database)) {
            PostgresSchema.migrate(connection, "veil.store.url", "test", TWO.subList(0, 1));

            assertThat(PostgresSchema.migrate(connection, "veil.store.url", "test", TWO)).containsExactly(2);
            assertThat(PostgresSchema.migrate(connection, "veil.store.url", "test", TWO)).isEmpty();
        }
        assertThat(versions(database)).containsExactly("1 first", "2 second");
    }

    @Test
    void aFailingMigrationLeavesNoTraceAndNoVersion() throws Exception {
        String database = postgres.createDatabase();
        List<PostgresSchema.Migration> broken = List.of(TWO.get(0),
                new PostgresSchema.Migration(2, "broken", "CREATE TABLE half (id INTEGER); SELECT no_such_column"));
        try (Connection connection = postgres.connect(database)) {
            assertThatThrownBy(() -> PostgresSchema.migrate(connection, "veil.store.url", "test", broken))
                    .isInstanceOf(java.sql.SQLException.class);

            assertThat(PostgresSchema.migrate(connection, "veil.store.url", "test", TWO)).containsExactly(1, 2);
        }
    }

    @Test
    void aDatabaseWrittenByANewerVeilIsRefusedNamingTheKey() throws Exception {
        String database = postgres.createDatabase();
        try (Connection connection = postgres.connect(database)) {
            PostgresSchema.migrate(connection, "veil.store.url", "db:5432/veil", TWO);

            assertThatThrownBy(() -> PostgresSchema.migrate(connection, "veil.store.url", "db:5432/veil",
                    TWO.subList(0, 1))).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("veil.store.url: db:5432/veil has schema version 2, written by a newer "
                            + "Veil");
        }
    }

    @Test
    void veilsOwnMigrationsAreNumberedFromOneAndReadable() {
        List<PostgresSchema.Migration> migrations = PostgresSchema.load(List.of("V1__accounting.sql"));

        assertThat(migrations).extracting(PostgresSchema.Migration::version).containsExactly(1);
        assertThat(migrations.get(0).sql()).contains("CREATE TABLE spend");
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
