package dev.veil.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.ErrorShape;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every admin request body is bound to its record before anything is stored: each kind of bad value is a 400 in the
 * OpenAI error shape naming the field by its path and saying what it must be, in the words the admin API has always
 * used.
 */
class AdminRequestBindingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    private static VeilUnderTest veil;

    @BeforeAll
    static void start() {
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  opa: {enabled: false}
                  master-key: %s
                  data-dir: "%s"
                  providers: {veil: {kind: echo}}
                """.formatted(VeilUnderTest.MASTER_KEY, dataDir));
    }

    @AfterAll
    static void stop() {
        veil.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            /admin/keys    | {"tenant": "acme", "colour": 1}       | colour          | colour: unknown field; known fields: budget, expires_at, labels, limits, models, name, scope, team, tenant
            /admin/keys    | {}                                    | tenant          | tenant: missing
            /admin/keys    | {"tenant": 5}                         | tenant          | tenant: must be a string
            /admin/keys    | {"tenant": "a b"}                     | tenant          | tenant: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit
            /admin/keys    | {"tenant": "acme", "team": null}      | team            | team: missing
            /admin/keys    | {"tenant": "acme", "name": []}        | name            | name: must be a string
            /admin/keys    | {"tenant": "acme", "labels": []}      | labels          | labels: must be an object of string values
            /admin/keys    | {"tenant": "acme", "labels": {"env": 1}} | labels.env   | labels.env: must be a string
            /admin/keys    | {"tenant": "acme", "models": "gpt-4o"} | models         | models: must be a list of model names or globs, for example ["gpt-4o*", "anthropic/*"]
            /admin/keys    | {"tenant": "acme", "models": [" "]}   | models          | models: every entry must be a non-empty string
            /admin/keys    | {"tenant": "acme", "scope": "root"}   | scope           | scope: must be chat or admin
            /admin/keys    | {"tenant": "acme", "expires_at": "tomorrow"} | expires_at | expires_at: must be an ISO-8601 UTC time, for example 2026-01-31T00:00:00Z
            /admin/keys    | {"tenant": "acme", "limits": 60}      | limits          | limits: must be an object, for example {"rpm": 60}
            /admin/keys    | {"tenant": "acme", "limits": {"rps": 1}} | limits.rps   | limits.rps: unknown field; known fields: rpm, tpm
            /admin/keys    | {"tenant": "acme", "limits": {"rpm": "5"}} | limits.rpm | limits.rpm: must be a whole number from 0 (no limit) to 1000000000
            /admin/keys    | {"tenant": "acme", "limits": {"tpm": 1.5}} | limits.tpm | limits.tpm: must be a whole number from 0 (no limit) to 1000000000000
            /admin/keys    | {"tenant": "acme", "budget": null}    | budget          | budget: must be an object, for example {"limit_usd": 100, "soft_usd": 80, "period": "month"}
            /admin/keys    | {"tenant": "acme", "budget": {"cap": 1}} | budget.cap   | budget.cap: unknown field; known fields: limit_usd, period, soft_usd
            /admin/keys    | {"tenant": "acme", "budget": {}}      | budget.limit_usd | budget.limit_usd: give a hard cap, a soft_usd alert threshold, or both
            /admin/keys    | {"tenant": "acme", "budget": {"limit_usd": -1}} | budget.limit_usd | budget.limit_usd: must be a number of US dollars from 0 to 1000000000
            /admin/keys    | {"tenant": "acme", "budget": {"limit_usd": 1, "period": "week"}} | budget.period | budget.period: must be day or month
            /admin/tenants | {"name": "acme", "budget": {"soft_usd": "5"}} | budget.soft_usd | budget.soft_usd: must be a number of US dollars from 0 to 1000000000
            /admin/tenants | {"tenant": "acme"}                    | tenant          | tenant: unknown field; known fields: budget, name
            /admin/teams   | {"tenant": "acme"}                    | name            | name: missing
            /admin/teams   | {"tenant": "acme", "name": "ops", "budget": []} | budget | budget: must be an object, for example {"limit_usd": 100, "soft_usd": 80, "period": "month"}
            /admin/budgets | {"limit_usd": 1}                      | scope           | scope: missing; use key, team, user or tenant
            /admin/budgets | {"scope": "org", "limit_usd": 1}      | scope           | scope: must be key, team, user or tenant
            /admin/budgets | {"scope": "key", "limit_usd": 1}      | key_id          | key_id: missing; a key budget names its key
            /admin/budgets | {"scope": "team", "tenant": "acme", "limit_usd": 1} | team | team: missing
            /admin/budgets | {"scope": "user", "tenant": "acme", "limit_usd": 1} | user | user: 1 to 256 characters, not blank, no control characters: the user id as usage shows it
            /admin/budgets | {"scope": "tenant", "tenant": "acme"} | limit_usd       | limit_usd: give a hard cap, a soft_usd alert threshold, or both
            """)
    void aBadFieldIsA400NamingItsPath(String path, String body, String param, String message) throws Exception {
        String keysBefore = veil.get("/admin/keys").body();

        HttpResponse<String> response = veil.post(path, body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(ErrorShape.isOpenAi(response.body())).isTrue();
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("message").asText()).isEqualTo(message);
        assertThat(veil.get("/admin/keys").body()).isEqualTo(keysBefore);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            /admin/keys    | `[{"tenant": "acme"}]`  | The request body must be a JSON object
            /admin/keys    | `{"tenant": `           | The request body is not valid JSON
            /admin/budgets | null                    | The request body must be a JSON object
            """)
    void aBodyThatIsNotAJsonObjectIsA400(String path, String body, String message) throws Exception {
        HttpResponse<String> response = veil.post(path, body);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).isEqualTo(message);
        assertThat(error.path("param").isNull()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /admin/usage?format=xml     | format | format: must be json or csv
            /admin/usage?from=2025-13-01 | from  | from: must be a date such as 2025-08-31
            """)
    void aBadUsageQueryIsA400NamingTheParameter(String path, String param, String message) throws Exception {
        HttpResponse<String> response = veil.get(path);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("message").asText()).isEqualTo(message);
    }

    @Test
    void nullOptionalFieldsAreAbsent() throws Exception {
        HttpResponse<String> response = veil.post("/admin/keys", """
                {"tenant": "nulls", "name": null, "labels": null, "models": null, "scope": null,
                 "expires_at": null, "limits": null}""");

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode key = JSON.readTree(response.body());
        assertThat(key.path("scope").asText()).isEqualTo("chat");
        assertThat(key.path("team").asText()).isEqualTo("default");
        assertThat(key.path("limits").path("rpm").asLong()).isZero();
    }
}
