package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysLifecycleTest {
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

    @Test
    void aCreatedKeyAnswersChatAndIsListedWithoutItsSecret() throws Exception {
        JsonNode created = veil.createKey("""
                {"tenant": "acme", "team": "support", "name": "bot", "labels": {"env": "prod"}}""");
        String key = created.path("key").asText();
        assertThat(key).startsWith("vk-" + created.path("id").asText() + "-");

        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);

        HttpResponse<String> listed = veil.veil.get("/admin/keys");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains(created.path("id").asText()).contains("\"tenant\":\"acme\"")
                .contains("\"env\":\"prod\"").doesNotContain(KeysFixture.secretOf(key));
    }

    @Test
    void theKeyStoreKeepsOnlyASaltedHashOfTheSecret() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\"}").path("key").asText();
        String secret = KeysFixture.secretOf(key);

        byte[] database = Files.readAllBytes(dataDir.resolve(KeyStore.FILE));
        byte[] wal = Files.exists(dataDir.resolve(KeyStore.FILE + "-wal"))
                ? Files.readAllBytes(dataDir.resolve(KeyStore.FILE + "-wal")) : new byte[0];
        assertThat(new String(database, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(secret);
        assertThat(new String(wal, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(secret);
    }

    @Test
    void aRevokedKeyIsRejectedOnTheNextRequest() throws Exception {
        JsonNode created = veil.createKey("{\"tenant\": \"acme\"}");
        String key = created.path("key").asText();
        assertThat(veil.chat(key, "smart", "Hello").statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = veil.veil.post("/admin/keys/" + created.path("id").asText() + "/revoke", "");
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(veil.json(revoked).path("status").asText()).isEqualTo("revoked");

        HttpResponse<String> next = veil.chat(key, "smart", "Hello");
        assertThat(next.statusCode()).isEqualTo(401);
        assertThat(veil.json(next).at("/error/code").asText()).isEqualTo("invalid_api_key");
    }

    @Test
    void rotationIssuesANewSecretAndTheOldOneStopsWorking() throws Exception {
        JsonNode created = veil.createKey("{\"tenant\": \"acme\"}");
        String old = created.path("key").asText();

        HttpResponse<String> rotated = veil.veil.post("/admin/keys/" + created.path("id").asText() + "/rotate", "");
        assertThat(rotated.statusCode()).isEqualTo(200);
        String fresh = veil.json(rotated).path("key").asText();

        assertThat(fresh).isNotEqualTo(old).startsWith("vk-" + created.path("id").asText() + "-");
        assertThat(veil.chat(old, "smart", "Hello").statusCode()).isEqualTo(401);
        assertThat(veil.chat(fresh, "smart", "Hello").statusCode()).isEqualTo(200);
    }

    @Test
    void anExpiredKeyIsA401() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\", \"expires_at\": \"2020-01-01T00:00:00Z\"}")
                .path("key").asText();

        HttpResponse<String> response = veil.chat(key, "smart", "Hello");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(veil.json(response).at("/error/code").asText()).isEqualTo("expired_api_key");
    }

    @Test
    void aKeyMayOnlyUseItsAllowedModels() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\", \"models\": [\"deepseek/*\"]}").path("key").asText();

        HttpResponse<String> denied = veil.chat(key, "smart", "Hello");

        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(veil.json(denied).at("/error/code").asText()).isEqualTo("model_not_allowed");
        assertThat(veil.chat(key, "deepseek/deepseek-chat", "Hello").statusCode()).isEqualTo(200);
    }

    @Test
    void aDisallowedModelOnTheAnthropicSurfaceIsA403InAnthropicsShape() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\", \"models\": [\"gpt-4o-mini\"]}").path("key").asText();

        HttpResponse<String> denied = veil.veil.send(veil.veil.request("/v1/messages")
                .setHeader("Authorization", "Bearer " + key).header("x-api-key", key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
                        {"model": "smart", "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]}"""))
                .build());

        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(veil.json(denied).path("type").asText()).isEqualTo("error");
        assertThat(veil.json(denied).at("/error/type").asText()).isEqualTo("permission_error");
    }

    @Test
    void aChatScopedKeyGetsA403OnTheAdminApi() throws Exception {
        String key = veil.createKey("{\"tenant\": \"acme\"}").path("key").asText();

        HttpResponse<String> response = veil.get(key, "/admin/keys");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(veil.json(response).at("/error/code").asText()).isEqualTo("admin_scope_required");
        assertThat(veil.get(key, "/admin/plugins").statusCode()).isEqualTo(403);
    }

    @Test
    void anAdminScopedKeyMayUseTheAdminApi() throws Exception {
        String admin = veil.createKey("{\"tenant\": \"ops\", \"scope\": \"admin\"}").path("key").asText();

        assertThat(veil.get(admin, "/admin/keys").statusCode()).isEqualTo(200);
        assertThat(veil.send(admin, "/admin/keys", "{\"tenant\": \"ops\"}").statusCode()).isEqualTo(201);
    }

    @Test
    void theAdminApiWithoutAKeyIsA401() {
        HttpResponse<String> response = veil.veil.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(veil.veil.baseUrl() + "/admin/keys")).GET().build());

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void aBadFieldIsA400NamingIt() throws Exception {
        HttpResponse<String> response = veil.veil.post("/admin/keys", "{\"tenant\": \"acme\", \"limits\": {\"rpm\": -1}}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(veil.json(response).at("/error/param").asText()).isEqualTo("limits.rpm");
    }

    @Test
    void anUnknownKeyIdIsA404() {
        assertThat(veil.veil.post("/admin/keys/0123456789abcdef/revoke", "").statusCode()).isEqualTo(404);
    }

    @Test
    void tenantsAndTeamsAreListable() throws Exception {
        veil.veil.post("/admin/tenants", "{\"name\": \"globex\"}");
        veil.createKey("{\"tenant\": \"acme\", \"team\": \"support\"}");

        assertThat(veil.veil.get("/admin/tenants").body()).contains("\"acme\"").contains("\"globex\"");
        assertThat(veil.veil.get("/admin/teams").body()).contains("\"support\"");
    }

    @Test
    void theMasterKeyKeepsWorking() {
        assertThat(veil.chat(VeilUnderTest.MASTER_KEY, "smart", "Hello").statusCode()).isEqualTo(200);
    }
}
