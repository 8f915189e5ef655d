package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin-scoped key manages its own tenant only; the master key manages every tenant. Naming another tenant is a
 * 403; a key id of another tenant is a 404, the same answer as an id that does not exist, so ids do not leak.
 */
class AdminTenantScopeTest {
    @TempDir
    Path dataDir;
    private KeysFixture veil;
    private String acmeAdmin;
    private String globexKeyId;
    private String globexKey;

    @BeforeEach
    void start() throws Exception {
        veil = new KeysFixture(new FakeOpenAiUpstream(), dataDir, "");
        acmeAdmin = veil.createKey("{\"tenant\": \"acme\", \"scope\": \"admin\"}").path("key").asText();
        JsonNode globex = veil.createKey("{\"tenant\": \"globex\"}");
        globexKeyId = globex.path("id").asText();
        globexKey = globex.path("key").asText();
        assertThat(veil.chat(globexKey, "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
    }

    @Test
    void aTenantAdminCannotReadAnotherTenantsUsage() throws Exception {
        HttpResponse<String> response = veil.get(acmeAdmin, "/admin/usage?tenant=globex");

        assertForbidden(response);
    }

    @Test
    void aTenantAdminSeesOnlyItsOwnTenantsUsage() throws Exception {
        HttpResponse<String> mine = veil.get(acmeAdmin, "/admin/usage");
        HttpResponse<String> byKey = veil.get(acmeAdmin, "/admin/usage?key=" + globexKeyId);

        assertThat(mine.statusCode()).isEqualTo(200);
        assertThat(veil.json(mine).path("data")).isEmpty();
        assertThat(veil.json(byKey).path("data")).isEmpty();
        assertThat(veil.get(acmeAdmin, "/admin/usage?format=csv").body()).doesNotContain("globex");
    }

    @Test
    void aTenantAdminCannotCreateKeysInAnotherTenant() throws Exception {
        HttpResponse<String> response = veil.send(acmeAdmin, "/admin/keys",
                "{\"tenant\": \"globex\", \"scope\": \"admin\"}");

        assertForbidden(response);
        assertThat(veil.json(veil.veil.get("/admin/keys?tenant=globex")).path("data")).hasSize(1);
    }

    @Test
    void aTenantAdminMayCreateKeysInItsOwnTenant() {
        assertThat(veil.send(acmeAdmin, "/admin/keys", "{\"tenant\": \"acme\", \"scope\": \"admin\"}").statusCode())
                .isEqualTo(201);
    }

    @Test
    void aTenantAdminListsOnlyItsOwnTenantsKeysTeamsAndTenants() throws Exception {
        assertThat(veil.json(veil.get(acmeAdmin, "/admin/keys")).path("data"))
                .allSatisfy(key -> assertThat(key.path("tenant").asText()).isEqualTo("acme"));
        assertForbidden(veil.get(acmeAdmin, "/admin/keys?tenant=globex"));
        assertThat(veil.json(veil.get(acmeAdmin, "/admin/teams")).path("data"))
                .allSatisfy(team -> assertThat(team.path("tenant").asText()).isEqualTo("acme"));
        assertThat(veil.json(veil.get(acmeAdmin, "/admin/tenants")).path("data"))
                .extracting(tenant -> tenant.path("name").asText()).containsExactly("acme");
    }

    @Test
    void anotherTenantsKeyIdIsA404ForEveryKeyAction() throws Exception {
        for (HttpResponse<String> response : java.util.List.of(
                veil.get(acmeAdmin, "/admin/keys/" + globexKeyId),
                veil.send(acmeAdmin, "/admin/keys/" + globexKeyId + "/rotate", ""),
                veil.send(acmeAdmin, "/admin/keys/" + globexKeyId + "/revoke", ""),
                veil.veil.send(veil.veil.request("/admin/keys/" + globexKeyId)
                        .setHeader("Authorization", "Bearer " + acmeAdmin).DELETE().build()),
                veil.send(acmeAdmin, "/admin/budgets", "{\"scope\": \"key\", \"key_id\": \"" + globexKeyId
                        + "\", \"limit_usd\": 0.000001}"))) {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(veil.json(response).at("/error/code").asText()).isEqualTo("key_not_found");
        }
        assertThat(veil.chat(globexKey, "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @Test
    void aTenantAdminCannotSetAnotherTenantsBudgetsNorItsOwnTenantCap() throws Exception {
        assertForbidden(veil.send(acmeAdmin, "/admin/budgets",
                "{\"scope\": \"tenant\", \"tenant\": \"globex\", \"limit_usd\": 0.000001}"));
        assertForbidden(veil.send(acmeAdmin, "/admin/budgets",
                "{\"scope\": \"team\", \"tenant\": \"globex\", \"team\": \"default\", \"limit_usd\": 0.000001}"));
        assertForbidden(veil.send(acmeAdmin, "/admin/budgets",
                "{\"scope\": \"tenant\", \"tenant\": \"acme\", \"limit_usd\": 1000000}"));
        assertForbidden(veil.send(acmeAdmin, "/admin/tenants", "{\"name\": \"initech\"}"));
        assertForbidden(veil.send(acmeAdmin, "/admin/teams", "{\"tenant\": \"globex\", \"name\": \"ops\"}"));
        assertThat(veil.json(veil.get(acmeAdmin, "/admin/budgets")).path("data")).isEmpty();
        assertThat(veil.chat(globexKey, "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @Test
    void aTenantAdminManagesItsOwnTeamsAndKeyBudgets() throws Exception {
        JsonNode own = veil.json(veil.send(acmeAdmin, "/admin/keys", "{\"tenant\": \"acme\"}"));

        assertThat(veil.send(acmeAdmin, "/admin/teams", "{\"tenant\": \"acme\", \"name\": \"ops\", "
                + "\"budget\": {\"limit_usd\": 5}}").statusCode()).isEqualTo(201);
        assertThat(veil.send(acmeAdmin, "/admin/budgets", "{\"scope\": \"key\", \"key_id\": \""
                + own.path("id").asText() + "\", \"limit_usd\": 1}").statusCode()).isEqualTo(200);
        assertThat(veil.send(acmeAdmin, "/admin/keys/" + own.path("id").asText() + "/rotate", "").statusCode())
                .isEqualTo(200);
        assertThat(veil.json(veil.get(acmeAdmin, "/admin/budgets")).path("data")).hasSize(2);
    }

    @Test
    void theMasterKeyManagesEveryTenant() throws Exception {
        assertThat(veil.json(veil.veil.get("/admin/usage?tenant=globex")).path("data")).isNotEmpty();
        assertThat(veil.veil.post("/admin/keys", "{\"tenant\": \"globex\", \"scope\": \"admin\"}").statusCode())
                .isEqualTo(201);
        assertThat(veil.veil.get("/admin/keys/" + globexKeyId).statusCode()).isEqualTo(200);
    }

    private void assertForbidden(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode error = veil.json(response).path("error");
        assertThat(error.path("type").asText()).isEqualTo("permission_error");
        assertThat(error.path("code").asText()).isEqualTo("tenant_not_allowed");
    }
}
