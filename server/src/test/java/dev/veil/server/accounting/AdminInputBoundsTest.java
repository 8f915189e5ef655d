package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every number and date the admin API stores is bounded: a value out of range is a 400 naming the field, in the
 * OpenAI error shape, before anything is written, so that no admin request can store what a later start cannot load.
 */
class AdminInputBoundsTest {
    @TempDir
    Path dataDir;
    private KeysFixture veil;

    @BeforeEach
    void start() throws Exception {
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, "");
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
    }

    static Stream<Arguments> outOfRange() {
        String manyLabels = Stream.iterate(0, i -> i + 1).limit(65).map(i -> "\"l" + i + "\": \"v\"")
                .reduce((a, b) -> a + ", " + b).orElseThrow();
        String manyModels = Stream.iterate(0, i -> i + 1).limit(257).map(i -> "\"m" + i + "\"")
                .reduce((a, b) -> a + ", " + b).orElseThrow();
        return Stream.of(
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"expires_at\": \"+1000000000-12-31T23:59:59Z\"}",
                        "expires_at"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"expires_at\": \"+10000-01-01T00:00:00Z\"}",
                        "expires_at"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"expires_at\": \"-1000000000-01-01T00:00:00Z\"}",
                        "expires_at"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"limits\": {\"rpm\": 9223372036854775807}}",
                        "limits.rpm"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"limits\": {\"rpm\": 1000000001}}", "limits.rpm"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"limits\": {\"tpm\": 9223372036854775807}}",
                        "limits.tpm"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"limits\": {\"tpm\": 1e99999}}", "limits.tpm"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"budget\": {\"limit_usd\": 1e300}}",
                        "budget.limit_usd"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"budget\": {\"limit_usd\": 1e99999}}",
                        "budget.limit_usd"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"budget\": {\"soft_usd\": 1000000000.01}}",
                        "budget.soft_usd"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"name\": \"bot\\u0000\\r\\nX-Injected: 1\"}",
                        "name"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"labels\": {" + manyLabels + "}}", "labels"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"labels\": {\"env\": \"" + "x".repeat(1025)
                        + "\"}}", "labels.env"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"models\": [" + manyModels + "]}", "models"),
                Arguments.of("/admin/keys", "{\"tenant\": \"t\", \"models\": [\"gpt-4o\\u0007\"]}", "models"),
                Arguments.of("/admin/budgets", "{\"scope\": \"tenant\", \"tenant\": \"t\", \"limit_usd\": 1e300}",
                        "limit_usd"),
                Arguments.of("/admin/budgets", "{\"scope\": \"tenant\", \"tenant\": \"t\", \"soft_usd\": 1e99999}",
                        "soft_usd"),
                Arguments.of("/admin/tenants", "{\"name\": \"t\", \"budget\": {\"limit_usd\": 1e300}}",
                        "budget.limit_usd"),
                Arguments.of("/admin/teams", "{\"tenant\": \"t\", \"name\": \"x\", \"budget\": {\"period\": \"week\"}}",
                        "budget.period"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("outOfRange")
    void anOutOfRangeValueIsA400NamingItAndStoresNothing(String path, String body, String param) throws Exception {
        HttpResponse<String> response = veil.veil.post(path, body);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = veil.json(response).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("message").asText()).startsWith(param + ":");
        assertNothingStored();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("outOfRange")
    void theNextStartAfterAnOutOfRangeWriteServes(String path, String body, String param) {
        veil.veil.post(path, body);

        veil.restart();

        assertThat(veil.veil.get("/admin/keys").statusCode()).isEqualTo(200);
        assertThat(veil.chat(VeilUnderTest.MASTER_KEY, "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @Test
    void theLatestExpiryAndTheLargestLimitsAreAccepted() throws Exception {
        JsonNode key = veil.createKey("""
                {"tenant": "t", "expires_at": "9999-12-31T23:59:59Z",
                 "limits": {"rpm": 1000000000, "tpm": 1000000000000},
                 "budget": {"limit_usd": 1000000000, "soft_usd": 999999999.999999}}""");

        veil.restart();

        assertThat(veil.chat(key.path("key").asText(), "smart", "Hello").statusCode()).isEqualTo(200);
    }

    private void assertNothingStored() throws Exception {
        assertThat(veil.json(veil.veil.get("/admin/keys")).path("data")).isEmpty();
        assertThat(veil.json(veil.veil.get("/admin/tenants")).path("data")).isEmpty();
        assertThat(veil.json(veil.veil.get("/admin/teams")).path("data")).isEmpty();
        assertThat(veil.json(veil.veil.get("/admin/budgets")).path("data")).isEmpty();
    }
}
