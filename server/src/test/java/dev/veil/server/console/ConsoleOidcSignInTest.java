package dev.veil.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.HeadlessChromium;
import dev.veil.server.testing.KeycloakProcess;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Signing in to the console through a real Keycloak (realm {@code veil}, public client {@code veil-console}) by
 * authorization code with PKCE, in headless Chromium: the code exchanged by Veil, the token checked as an admin token,
 * the realm roles deciding the pages.
 */
class ConsoleOidcSignInTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static KeycloakProcess keycloak;
    private static FakeOpenAiUpstream upstream;
    private static VeilUnderTest veil;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        keycloak = KeycloakProcess.start();
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.start(config(keycloak.issuer()));
        browser = HeadlessChromium.start(Path.of("target", "console-downloads"));
    }

    private static String config(String consoleIssuer) {
        return VeilUnderTest.config(upstream, """
                  auth:
                    jwt:
                      - issuer: "%s"
                        audience: veil
                        jwks-url: "%s"
                        claims: {user: preferred_username, roles: realm_access.roles}
                  console:
                    oidc: {issuer: "%s", client-id: veil-console, name: Keycloak}
                """.formatted(keycloak.issuer(), keycloak.jwksUrl(), consoleIssuer));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {veil, upstream, keycloak}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @AfterEach
    void signOut() {
        if (browser.getCurrentUrl().startsWith(veil.baseUrl())) {
            ((JavascriptExecutor) browser).executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + "fetch('/console/session', {method: 'DELETE'}).then(() => done(), () => done());");
        }
        // Keycloak's session cookies are scoped to the realm's path: delete them from there, or the next sign-in
        // would be silent.
        browser.get(keycloak.issuer() + "/.well-known/openid-configuration");
        browser.manage().deleteAllCookies();
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    private static List<String> signInAtKeycloak(String user, String password) {
        browser.get(veil.baseUrl() + "/console/");
        waiting().until(ExpectedConditions.elementToBeClickable(By.id("sso"))).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("kc-login")).click();
        WebElement principal = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("principal")));
        assertThat(principal.getText()).contains(user);
        return browser.findElements(By.cssSelector("#nav a")).stream().map(WebElement::getText).toList();
    }

    @Test
    void anAuditorSignsInAtTheIdpAndSeesTheAuditButNoKeys() {
        List<String> pages = signInAtKeycloak("audra", "audra-password");

        assertThat(pages).contains("Overview", "Decisions").doesNotContain("Keys");
        assertThat(browser.getCurrentUrl()).startsWith(veil.baseUrl() + "/console/").doesNotContain("code=");
    }

    @Test
    void aKeyAdminSignsInAtTheIdpAndSeesTheKeys() {
        List<String> pages = signInAtKeycloak("kai", "kai-password");

        assertThat(pages).containsExactly("Keys", "Providers and routes");
    }

    @Test
    void aPersonWithoutAnAdminRoleIsRefusedAfterTheIdpSignIn() {
        browser.get(veil.baseUrl() + "/console/");
        waiting().until(ExpectedConditions.elementToBeClickable(By.id("sso"))).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys("ana");
        browser.findElement(By.id("password")).sendKeys("ana-password");
        browser.findElement(By.id("kc-login")).click();

        WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));

        assertThat(error.getText()).contains("admin role");
        assertThat(browser.findElements(By.id("principal"))).isEmpty();
    }

    @Test
    void theSettingsNameTheIdpsAuthorizationEndpointFromDiscovery() throws Exception {
        HttpResponse<String> settings = veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl()
                + "/console/oidc")).GET().build());

        JsonNode body = JSON.readTree(settings.body());
        assertThat(body.path("enabled").asBoolean()).isTrue();
        assertThat(body.path("authorization_endpoint").asText()).startsWith(keycloak.issuer() + "/protocol/");
        assertThat(body.path("redirect_uri").asText()).isEqualTo(veil.baseUrl() + "/console/");
    }

    @Test
    void aCodeTheIdpDidNotIssueIsRefused() throws Exception {
        HttpResponse<String> refused = veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl()
                + "/console/oidc/token")).header("Content-Type", "application/json").POST(
                HttpRequest.BodyPublishers.ofString("{\"code\":\"made-up\",\"code_verifier\":\"" + "v".repeat(43)
                        + "\"}")).build());

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(refused.body()).at("/error/code").asText()).isEqualTo("oidc_failed");
    }

    @Test
    void aConsoleIssuerThatIsNotAJwtIssuerFailsTheConfig() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml(config("https://idp.example.com/realms/other"),
                Map.<String, String>of()::get)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.console.oidc.issuer");
    }
}
