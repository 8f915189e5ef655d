package dev.veil.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signing in to the console opens a session held in an HttpOnly, SameSite=Strict cookie for {@code /admin}; the admin
 * API takes it only with the console's header, and re-checks the credential inside on every call.
 */
class ConsoleSessionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream upstream;
    private static VeilUnderTest veil;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.withUpstream(upstream);
    }

    @AfterAll
    static void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private static HttpResponse<String> signIn(String credential) {
        return veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/console/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"credential\":\"" + credential + "\"}")).build());
    }

    private static String cookie(HttpResponse<String> signedIn) {
        String header = signedIn.headers().firstValue("set-cookie").orElseThrow();
        return header.substring(0, header.indexOf(';'));
    }

    private static HttpResponse<String> whoami(String cookie, boolean consoleHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/admin/whoami"))
                .header("Cookie", cookie).GET();
        if (consoleHeader) {
            request.header("X-Veil-Console", "1");
        }
        return veil.send(request.build());
    }

    @Test
    void signingInSetsAnHttpOnlyStrictCookieForTheAdminApiOnly() {
        HttpResponse<String> signedIn = signIn(VeilUnderTest.MASTER_KEY);

        assertThat(signedIn.statusCode()).isEqualTo(200);
        assertThat(signedIn.headers().firstValue("set-cookie")).hasValueSatisfying(header -> assertThat(header)
                .startsWith("veil-console=").contains("; Path=/admin;", "; HttpOnly", "; SameSite=Strict",
                        "; Max-Age=28800").doesNotContain(VeilUnderTest.MASTER_KEY, "Secure"));
    }

    @Test
    void theCookieWithTheConsolesHeaderAuthenticatesAnAdminCall() throws Exception {
        HttpResponse<String> me = whoami(cookie(signIn(VeilUnderTest.MASTER_KEY)), true);

        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(me.body()).path("roles")).extracting(JsonNode::asText).containsExactly("admin");
    }

    @Test
    void theCookieAloneAsAnotherSitesFormWouldSendItIsNoCredential() {
        HttpResponse<String> refused = whoami(cookie(signIn(VeilUnderTest.MASTER_KEY)), false);

        assertThat(refused.statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongCredentialOpensNoSession() {
        HttpResponse<String> refused = signIn("not-the-key");

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("set-cookie")).isEmpty();
    }

    @Test
    void aSessionOnAnAdminKeyEndsWhenTheKeyIsRevoked() throws Exception {
        JsonNode key = JSON.readTree(veil.post("/admin/keys",
                "{\"tenant\":\"default\",\"name\":\"ops\",\"scope\":\"admin\"}").body());
        String session = cookie(signIn(key.path("key").asText()));
        assertThat(whoami(session, true).statusCode()).isEqualTo(200);

        veil.post("/admin/keys/" + key.path("id").asText() + "/revoke", "{}");

        assertThat(whoami(session, true).statusCode()).isEqualTo(401);
    }

    @Test
    void signingOutClearsTheCookie() {
        HttpResponse<String> signedOut = veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl()
                + "/console/session")).DELETE().build());

        assertThat(signedOut.statusCode()).isEqualTo(204);
        assertThat(signedOut.headers().firstValue("set-cookie")).hasValueSatisfying(header -> assertThat(header)
                .startsWith("veil-console=;").contains("Max-Age=0", "Path=/admin"));
    }
}
