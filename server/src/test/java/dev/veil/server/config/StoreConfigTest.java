package dev.veil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreConfigTest {
    private static final Map<String, String> ENV = Map.of("VEIL_DB_PASSWORD", "db-secret-from-env");

    private static StoreConfig load(String storeYaml) {
        return config(storeYaml).accounting().store();
    }

    private static VeilConfig config(String storeYaml) {
        return ConfigLoader.fromYaml("""
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers:
                    openai: {kind: openai, api-key: sk-test}
                %s""".formatted(storeYaml), ENV::get);
    }

    @Test
    void withoutAStoreSectionAccountingStaysInTheEmbeddedSqliteFile() {
        assertThat(load("").kind()).isEqualTo(StoreConfig.Kind.SQLITE);
        assertThat(load("  store: {kind: sqlite}").postgres()).isEmpty();
    }

    @Test
    void aPostgresStoreReadsItsConnectionWithThePasswordFromTheEnvironment() {
        StoreConfig store = load("""
                  store:
                    kind: postgres
                    url: jdbc:postgresql://db.internal:5432/veil
                    username: veil
                    password: ${VEIL_DB_PASSWORD}
                """);

        StoreConfig.Postgres postgres = store.postgres().orElseThrow();
        assertThat(store.kind()).isEqualTo(StoreConfig.Kind.POSTGRES);
        assertThat(postgres.url()).isEqualTo("jdbc:postgresql://db.internal:5432/veil");
        assertThat(postgres.username()).isEqualTo("veil");
        assertThat(postgres.password().orElseThrow().reveal()).isEqualTo("db-secret-from-env");
        assertThat(postgres.poolSize()).isEqualTo(StoreConfig.DEFAULT_POOL_SIZE);
        assertThat(postgres.location()).isEqualTo("db.internal:5432/veil");
        assertThat(postgres.toString()).doesNotContain("db-secret-from-env");
    }

    @Test
    void thePasswordMayComeFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("db-password");
        Files.writeString(file, "db-secret-from-file\n");

        StoreConfig store = load("""
                  store: {kind: postgres, url: "jdbc:postgresql://db:5432/veil", username: veil,
                          password-file: "%s", pool-size: 3}
                """.formatted(file));

        assertThat(store.postgres().orElseThrow().password().orElseThrow().reveal()).isEqualTo("db-secret-from-file");
        assertThat(store.postgres().orElseThrow().poolSize()).isEqualTo(3);
    }

    @Test
    void aReloadMayNotChangeTheStoreButMayReadTheSameOneAgain() {
        String postgres = """
                  store: {kind: postgres, url: "jdbc:postgresql://db:5432/veil", username: veil,
                          password: "${VEIL_DB_PASSWORD}"}
                """;
        VeilConfig running = config(postgres);

        assertThat(running.restartOnlyChanges(config(postgres))).doesNotContain("veil.store");
        assertThat(running.restartOnlyChanges(config(""))).contains("veil.store");
        assertThat(running.restartOnlyChanges(config(postgres.replace("5432/veil", "5432/other"))))
                .contains("veil.store");
    }

    @Test
    void anUnknownKindIsRefusedNamingTheKeyAndTheKnownKinds() {
        assertThatThrownBy(() -> load("  store: {kind: mysql}")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.store.kind: unknown store 'mysql'").hasMessageContaining("sqlite, postgres");
    }

    @Test
    void aPostgresStoreWithoutAUrlIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("  store: {kind: postgres, username: veil, password: x}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("veil.store.url: missing");
    }

    @Test
    void aUrlThatIsNotPostgresJdbcIsRefusedWithoutItsQuery() {
        assertThatThrownBy(() -> load("""
                  store: {kind: postgres, url: "postgres://veil:db-secret@db/veil?sslmode=require", username: veil}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("veil.store.url: must be")
                .hasMessageNotContaining("db-secret");
    }

    @Test
    void credentialsBeforeTheHostAreRefusedAndNotEchoed() {
        assertThatThrownBy(() -> load("""
                  store: {kind: postgres, url: "jdbc:postgresql://veil:db-secret@db:5432/veil", username: veil}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("credentials go in username and "
                + "password").hasMessageNotContaining("db-secret");
    }

    @Test
    void aPasswordInTheUrlIsRefusedAndNotEchoed() {
        assertThatThrownBy(() -> load("""
                  store: {kind: postgres, url: "jdbc:postgresql://db/veil?password=db-secret", username: veil}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("veil.store.url: must not hold the "
                + "password").hasMessageNotContaining("db-secret");
    }

    @Test
    void aPostgresStoreWithoutAUsernameIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("  store: {kind: postgres, url: \"jdbc:postgresql://db:5432/veil\"}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("veil.store.username: missing");
    }

    @Test
    void bothAPasswordAndAPasswordFileAreRefused() {
        assertThatThrownBy(() -> load("""
                  store: {kind: postgres, url: "jdbc:postgresql://db/veil", username: veil, password: db-secret,
                          password-file: /run/secrets/db}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("veil.store.password-file: set "
                + "either").hasMessageNotContaining("db-secret");
    }

    @Test
    void aPoolSizeBelowOneIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("""
                  store: {kind: postgres, url: "jdbc:postgresql://db/veil", username: veil, pool-size: 0}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("veil.store.pool-size: must be");
    }

    @Test
    void aPostgresSettingUnderTheSqliteKindIsRefusedAsUnknown() {
        assertThatThrownBy(() -> load("  store: {url: \"jdbc:postgresql://db/veil\"}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("veil.store.url: unknown key");
    }
}
