package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.config.ConfigException;
import dev.veil.server.storage.SqliteSchema;
import dev.veil.server.testing.FakeClock;
import dev.veil.server.testing.FakeOpenAiUpstream;

class KeyStoreSchemaTest {
    /** Schema version 1's budgets and spend, as a Veil from before the user dimension created them. */
    private static final String VERSION_1 = """
            CREATE TABLE budgets (scope TEXT PRIMARY KEY, kind TEXT NOT NULL,
              tenant TEXT NOT NULL, team TEXT NOT NULL, key_id TEXT NOT NULL, period TEXT NOT NULL,
              limit_micros INTEGER NOT NULL, soft_micros INTEGER NOT NULL);
            CREATE TABLE spend (day TEXT NOT NULL, key_id TEXT NOT NULL,
              tenant TEXT NOT NULL, team TEXT NOT NULL, model TEXT NOT NULL,
              requests INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL,
              completion_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,
              reasoning_tokens INTEGER NOT NULL, cost_micros INTEGER NOT NULL,
              PRIMARY KEY (day, key_id, tenant, team, model));
            PRAGMA user_version = 1;""";

    @TempDir
    Path dataDir;

    @Test
    void aNewKeysFileRecordsItsSchemaVersion() throws SQLException {
        KeyStore.open(dataDir, InstantSource.system()).close();

        try (Connection connection = keysDb()) {
            assertThat(SqliteSchema.version(connection)).isEqualTo(SqliteSchema.BASE + 1);
        }
    }

    @Test
    void aKeysFileFromANewerVeilIsRefused() throws SQLException {
        KeyStore.open(dataDir, InstantSource.system()).close();
        try (Connection connection = keysDb(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("PRAGMA user_version = 3");
        }

        assertThatThrownBy(() -> KeyStore.open(dataDir, InstantSource.system())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.data-dir").hasMessageContaining("newer Veil");
    }

    @Test
    void aKeysFileFromBeforeTheUserDimensionKeepsItsSpendAndBudgetsUnderNoUser() throws Exception {
        String today = LocalDate.ofInstant(FakeClock.START, ZoneOffset.UTC).toString();
        try (Connection connection = keysDb(); Statement statement = connection.createStatement()) {
            statement.executeUpdate(VERSION_1);
            statement.executeUpdate("INSERT INTO spend VALUES ('" + today + "', 'master', 'acme', 'default', "
                    + "'openai/gpt-4o', 3, 30, 10, 0, 0, 1500)");
            statement.executeUpdate("INSERT INTO budgets VALUES ('tenant:acme', 'tenant', 'acme', '', '', 'month', "
                    + "5000000, 0)");
        }

        try (KeysFixture veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, "")) {
            JsonNode usage = veil.json(veil.veil.get("/admin/usage?tenant=acme"));
            JsonNode budgets = veil.json(veil.veil.get("/admin/budgets"));
            assertThat(usage.path("data")).hasSize(1);
            assertThat(usage.at("/data/0/user").asText()).isEmpty();
            assertThat(usage.at("/data/0/requests").asLong()).isEqualTo(3);
            assertThat(usage.at("/data/0/cost_usd").decimalValue()).isEqualByComparingTo("0.0015");
            assertThat(budgets.at("/data/0/scope").asText()).isEqualTo("tenant");
            assertThat(budgets.at("/data/0/spent_usd").decimalValue()).isEqualByComparingTo("0.0015");
        }
        try (Connection connection = keysDb()) {
            assertThat(SqliteSchema.version(connection)).isEqualTo(SqliteSchema.BASE + 1);
            assertThat(primaryKey(connection, "spend")).containsExactly("day", "key_id", "tenant", "team", "user_id",
                    "model");
        }
    }

    @Test
    void spendOfTwoUsersOnOneKeyDayAndModelStaysInTwoRows() {
        LocalDate day = LocalDate.parse("2026-12-08");
        try (KeyStore store = KeyStore.open(dataDir, InstantSource.system())) {
            store.addSpend(List.of(delta(day, "ana", 100), delta(day, "bo", 200), delta(day, "ana", 1)));

            List<AccountingStore.SpendDelta> rows = store.usage(new AccountingStore.UsageFilter(Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty()));
            assertThat(rows).extracting(AccountingStore.SpendDelta::user, AccountingStore.SpendDelta::costMicros)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("ana", 101L),
                            org.assertj.core.groups.Tuple.tuple("bo", 200L));
            assertThat(store.spentSince(BudgetScope.user("bank", "ana"), day)).isEqualTo(101);
        }
    }

    private static AccountingStore.SpendDelta delta(LocalDate day, String user, long cost) {
        return new AccountingStore.SpendDelta(day, "jwt", "bank", "risk", user, "openai/gpt-4o", 1, 1, 1, 0, 0, cost);
    }

    private Connection keysDb() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(KeyStore.FILE));
    }

    private static List<String> primaryKey(Connection connection, String table) throws SQLException {
        List<String> key = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet r = s.executeQuery("SELECT name FROM pragma_table_info('" + table + "') WHERE pk > 0 "
                     + "ORDER BY pk")) {
            while (r.next()) {
                key.add(r.getString(1));
            }
        }
        return key;
    }
}
