package dev.veil.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.HeadlessChromium;
import dev.veil.server.testing.LocalIssuer;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in Debian's Chromium, headless, driven through chromium-driver, against a real Veil with a real OPA
 * and real traffic from the fake upstream: signing in, the pages' data, the key lifecycle with the OpenAI SDK, a denied
 * request followed to its reasons, the spend CSV against the admin API, the roles, axe-core on every page and the keys
 * page by keyboard. Screenshots of each page go to {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final Path DOWNLOADS = Path.of("target", "console-downloads").toAbsolutePath();
    private static final List<String> PAGES = List.of("overview", "keys", "spend", "decisions", "providers",
            "privacy");

    @TempDir
    static Path dir;
    private static OpaProcess opa;
    private static FakeOpenAiUpstream upstream;
    private static LocalIssuer issuer;
    private static VeilUnderTest veil;
    private static WebDriver browser;
    private static String deniedRequestId;
    private static String axe;

    @BeforeAll
    static void start() throws Exception {
        Path axeFile = Path.of(System.getProperty("veil.project.dir", ".."), "server", "src", "test", "console",
                "node_modules", "axe-core", "axe.min.js");
        if (!Files.isRegularFile(axeFile)) {
            fail("The console's accessibility checks need axe-core: npm ci --prefix server/src/test/console "
                    + "(./veil's ensure_chromium does); looked for " + axeFile);
        }
        axe = Files.readString(axeFile);
        opa = OpaProcess.start();
        upstream = new FakeOpenAiUpstream();
        issuer = LocalIssuer.start();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(dir.resolve("audit-key"), Base64.getEncoder().encodeToString(key) + "\n");
        // The policy is flipped between two requests below: no decision is reused, so the flip applies at once.
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  opa: {url: "%s", cache: {max-entries: 0}}
                  data-dir: "%s"
                  audit: {key-file: "%s"}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream-secret-1234", region: us}
                    deepseek: {kind: openai-compatible, preset: deepseek, base-url: "%s", api-key: "sk-ds",
                               region: eu, zero-retention: true}
                  models:
                    smart: {targets: ["openai/gpt-4o", "deepseek/deepseek-chat"]}
                  prices:
                    - {model: openai/gpt-4o, input: 2.5, output: 10}
                  plugins:
                    - name: pii-redaction
                  auth:
                    jwt:
                      - {issuer: "%s", audience: veil, jwks-url: "%s", claims: {roles: veil_roles}}
                """.formatted(VeilUnderTest.MASTER_KEY, opa.url(), dir, keyFile, upstream.baseUrl(),
                upstream.baseUrl(), issuer.issuer(), issuer.jwksUrl()));
        for (int i = 0; i < 5; i++) {
            assertThat(veil.post("/v1/chat/completions", CHAT.formatted("hello " + i)).statusCode()).isEqualTo(200);
        }
        veil.post("/v1/chat/completions", CHAT.formatted("write to ana.lopez@example.com about the invoice"));
        opa.setting("authz.rules", "[{\"tenant\": \"default\", \"models\": [\"other-*\"]}]");
        var denied = veil.post("/v1/chat/completions", CHAT.formatted("this one is denied"));
        assertThat(denied.statusCode()).isEqualTo(403);
        deniedRequestId = denied.headers().firstValue("x-veil-request-id").orElseThrow();
        opa.defaultSettings();

        Files.createDirectories(SCREENSHOTS);
        Files.createDirectories(DOWNLOADS);
        browser = HeadlessChromium.start(DOWNLOADS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {veil, issuer, upstream, opa}) {
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
    }

    private static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    private static void signIn(String credential) {
        browser.get(veil.baseUrl() + "/console/");
        WebElement field = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("login-key")));
        field.sendKeys(credential);
        browser.findElement(By.id("login-submit")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("principal")));
    }

    /** Opens {@code page} afresh and waits until it has drawn its data. */
    private static WebElement open(String page) {
        browser.get(veil.baseUrl() + "/console/?page=" + page + "#/" + page);
        return waiting().until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#page-" + page + "[data-ready='true']")));
    }

    /** The whole page as a PNG: the window grown to the page's height for the shot, then put back. */
    private static void screenshot(String name) throws IOException {
        long height = (Long) ((JavascriptExecutor) browser).executeScript(
                "window.scrollTo(0, 0); return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(1400, (int) Math.min(Math.max(height, 600), 3000)));
        try {
            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.manage().window().setSize(new Dimension(1400, 1000));
        }
    }

    private static OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(veil.baseUrl() + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    private static ChatCompletion chat(OpenAIClient client, String text) {
        return client.chat().completions().create(ChatCompletionCreateParams.builder().model("smart")
                .addUserMessage(text).build());
    }

    @Test
    void theSignInPageAsksForAKeyAndRefusesAWrongOne() throws Exception {
        browser.get(veil.baseUrl() + "/console/");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("login-key"))).sendKeys("not-a-key");
        screenshot("sign-in");
        browser.findElement(By.id("login-submit")).click();

        WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));

        assertThat(error.getText()).contains("Incorrect API key");
    }

    @Test
    void noScriptOnTheSignedInPageCanReadTheCredential() {
        signIn(VeilUnderTest.MASTER_KEY);
        open("overview");

        Object reachable = ((JavascriptExecutor) browser).executeScript("return document.cookie + '|' "
                + "+ JSON.stringify(sessionStorage) + '|' + JSON.stringify(localStorage)");

        assertThat(String.valueOf(reachable)).doesNotContain(VeilUnderTest.MASTER_KEY, "veil-console");
    }

    @Test
    void theOverviewsChartsRenderTheTrafficWithNonZeroData() throws Exception {
        signIn(VeilUnderTest.MASTER_KEY);

        WebElement page = open("overview");

        assertThat(Long.parseLong(page.findElement(By.id("total-requests")).getText().replace(",", "")))
                .isGreaterThanOrEqualTo(7);
        assertThat(page.findElement(By.id("total-cost")).getText()).isNotEqualTo("$0.00").startsWith("$");
        List<WebElement> charts = page.findElements(By.cssSelector("svg.chart"));
        assertThat(charts).hasSizeGreaterThanOrEqualTo(6);
        for (WebElement chart : charts.subList(0, 5)) {
            assertThat(chart.findElements(By.tagName("polyline"))).isNotEmpty();
        }
        assertThat(charts).filteredOn(chart -> Double.parseDouble(chart.getDomAttribute("data-max")) > 0)
                .hasSizeGreaterThanOrEqualTo(5);
        assertThat(page.findElement(By.id("providers-health")).getText()).contains("openai", "healthy");
        screenshot("overview");
    }

    @Test
    void aKeyCreatedInTheConsoleServesAnSdkCallAndIsRefusedOnceRevokedThere() throws Exception {
        signIn(VeilUnderTest.MASTER_KEY);
        WebElement page = open("keys");
        page.findElement(By.id("key-name")).sendKeys("browser-made");
        page.findElement(By.id("create-key-submit")).click();
        String secret = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("new-secret")))
                .getDomProperty("value");
        screenshot("keys");

        OpenAIClient client = sdk(secret);
        try {
            assertThat(chat(client, "from a console-made key").choices()).isNotEmpty();
            WebElement row = waiting().until(ExpectedConditions.presenceOfElementLocated(
                    By.xpath("//table[@id='keys-table']//tr[td[1][text()='browser-made']]")));
            row.findElement(By.cssSelector("button[data-action='revoke']")).click();
            browser.switchTo().alert().accept();
            waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("revoked")));

            assertThatThrownBy(() -> chat(client, "after revocation")).isInstanceOfSatisfying(
                    OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(401));
        } finally {
            client.close();
        }
        JsonNode audit = JSON.readTree("[" + String.join(",", veil.get("/admin/audit/records").body().lines()
                .toList()) + "]");
        assertThat(audit.findValues("action")).extracting(JsonNode::asText).contains("key.create", "key.revoke");
    }

    @Test
    void aDeniedRequestIsFollowedFromTheDecisionsToItsReasons() throws Exception {
        signIn(VeilUnderTest.MASTER_KEY);
        WebElement page = open("decisions");
        new org.openqa.selenium.support.ui.Select(page.findElement(By.id("filter-outcome"))).selectByValue("denied");
        page.findElement(By.cssSelector("#decisions-form button[type='submit']")).click();
        WebElement link = waiting().until(ExpectedConditions.elementToBeClickable(
                By.cssSelector("button[data-request-id='" + deniedRequestId + "']")));
        assertThat(browser.findElement(By.id("decisions-table")).getText()).contains("denied", "may not use model");

        link.click();

        WebElement record = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
                "#record-detail dl")));
        assertThat(record.getText()).contains(deniedRequestId, "policy_denied", "may not use model");
        screenshot("decisions");
    }

    @Test
    void aRequestsContentIsShownToAnAuditorAndWithheldFromAnAdmin() {
        String id = veil.post("/v1/chat/completions", CHAT.formatted("content for auditors")).headers()
                .firstValue("x-veil-request-id").orElseThrow();

        signIn(VeilUnderTest.MASTER_KEY);
        String admin = openRecord(id, "content-withheld");
        signOut();
        signIn(issuer.token("audra", Map.of("veil_roles", List.of("auditor"))));
        String auditor = openRecord(id, "record-content");

        assertThat(admin).doesNotContain("content for auditors");
        assertThat(auditor).contains("content for auditors");
    }

    private static String openRecord(String requestId, String shown) {
        browser.get(veil.baseUrl() + "/console/?page=decisions#/decisions?request_id=" + requestId);
        try {
            return waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id(shown))).getText();
        } catch (org.openqa.selenium.TimeoutException e) {
            return fail("#" + shown + " never appeared; the page showed: "
                    + browser.findElement(By.tagName("main")).getText());
        }
    }

    @Test
    void theSpendCsvDownloadedFromTheConsoleIsTheUsageApisCsv() throws Exception {
        signIn(VeilUnderTest.MASTER_KEY);
        WebElement page = open("spend");
        String from = page.findElement(By.id("spend-from")).getDomProperty("value");
        String to = page.findElement(By.id("spend-to")).getDomProperty("value");
        assertThat(page.findElement(By.id("spend-table")).getText()).contains("default");
        screenshot("spend");
        Path file = DOWNLOADS.resolve("veil-usage-" + from + "-" + to + ".csv");
        Files.deleteIfExists(file);

        page.findElement(By.id("spend-csv")).click();

        waiting().until(done -> Files.isRegularFile(file) && size(file) > 0);
        String api = veil.get("/admin/usage?format=csv&from=" + from + "&to=" + to).body();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(api);
        assertThat(api.lines().count()).isGreaterThan(1);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void aViewerSeesNeitherTheKeysPageNorTheDecisions() throws Exception {
        signIn(issuer.token("vic", Map.of("veil_roles", List.of("viewer"))));
        open("overview");

        List<String> pages = browser.findElements(By.cssSelector("#nav a")).stream().map(WebElement::getText).toList();
        browser.get(veil.baseUrl() + "/console/?page=keys#/keys");
        WebElement refusal = waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("not-allowed")));

        assertThat(pages).contains("Overview", "Spend", "Providers and routes", "Privacy")
                .doesNotContain("Keys", "Decisions");
        assertThat(refusal.getText()).contains("viewer");
    }

    @Test
    void aKeyAdminSeesKeysButNotTheAuditOrTraffic() {
        signIn(issuer.token("kai", Map.of("veil_roles", List.of("key-admin"))));
        open("keys");

        List<String> pages = browser.findElements(By.cssSelector("#nav a")).stream().map(WebElement::getText).toList();

        assertThat(pages).containsExactly("Keys", "Providers and routes");
    }

    @Test
    void theProvidersPageShowsTheRunningConfigReadOnly() throws Exception {
        signIn(VeilUnderTest.MASTER_KEY);

        WebElement page = open("providers");

        assertThat(page.findElement(By.id("config-revision")).getText()).contains(veil.server().revision());
        assertThat(page.findElement(By.id("providers-table")).getText()).contains("deepseek", "eu", "yes");
        assertThat(page.findElement(By.id("aliases-table")).getText())
                .contains("openai/gpt-4o → deepseek/deepseek-chat (zero retention)");
        assertThat(page.findElements(By.cssSelector("form"))).isEmpty();
        screenshot("providers");
    }

    @Test
    void thePrivacyPageCountsTheEmailFoundAndTheBlockedRequest() throws Exception {
        signIn(VeilUnderTest.MASTER_KEY);

        WebElement page = open("privacy");

        assertThat(page.findElement(By.id("pii-total")).getText()).isNotEqualTo("0");
        assertThat(page.findElement(By.id("blocked")).getText()).isEqualTo("1");
        assertThat(page.getText()).contains("EMAIL");
        screenshot("privacy");
    }

    @Test
    void everyPagePassesAxeWithoutSeriousOrCriticalViolations() throws Exception {
        signIn(VeilUnderTest.MASTER_KEY);
        List<String> problems = new ArrayList<>();
        for (String page : PAGES) {
            open(page);
            problems.addAll(axeProblems(page));
        }
        signOut();
        browser.get(veil.baseUrl() + "/console/");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("login-key")));
        problems.addAll(axeProblems("sign-in"));

        assertThat(problems).isEmpty();
    }

    private static List<String> axeProblems(String page) throws Exception {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript(axe);
        Object result = js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']})"
                + ".then(r => done(JSON.stringify(r.violations)), e => done('failed: ' + e));");
        String text = String.valueOf(result);
        assertThat(text).as("axe on " + page).doesNotStartWith("failed");
        List<String> problems = new ArrayList<>();
        for (JsonNode violation : JSON.readTree(text)) {
            String impact = violation.path("impact").asText();
            if (impact.equals("serious") || impact.equals("critical")) {
                List<String> targets = new ArrayList<>();
                violation.path("nodes").forEach(node -> targets.add(node.path("target").toString()));
                problems.add(page + ": " + impact + " " + violation.path("id").asText() + " on " + targets);
            }
        }
        return problems;
    }

    @Test
    void theKeysPageWorksByKeyboardAlone() throws Exception {
        signIn(VeilUnderTest.MASTER_KEY);
        open("keys");
        Actions keyboard = new Actions(browser);

        WebElement first = tabUntil(keyboard, "skip link", element -> "skip".equals(element.getDomAttribute("class")));
        WebElement name = tabUntil(keyboard, "the name field",
                element -> "key-name".equals(element.getDomAttribute("id")));
        keyboard.sendKeys("typed-key").perform();
        tabUntil(keyboard, "the create button", element -> "create-key-submit".equals(element.getDomAttribute("id")));
        keyboard.sendKeys(Keys.ENTER).perform();
        WebElement secret = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("new-secret")));

        assertThat(first.getDomProperty("textContent")).isEqualTo("Skip to content");
        assertThat(name.getDomProperty("value")).isEqualTo("");
        assertThat(browser.switchTo().activeElement()).isEqualTo(secret);
        assertThat(secret.getDomProperty("value")).startsWith("vk-");
        tabUntil(keyboard, "a revoke button", element -> "revoke".equals(element.getDomAttribute("data-action")));
        assertThat(browser.findElement(By.id("keys-table")).getText()).contains("typed-key");
    }

    private static WebElement tabUntil(Actions keyboard, String what,
                                       java.util.function.Predicate<WebElement> reached) {
        for (int i = 0; i < 80; i++) {
            keyboard.sendKeys(Keys.TAB).perform();
            WebElement active = browser.switchTo().activeElement();
            if (reached.test(active)) {
                return active;
            }
        }
        return fail("Tab never reached " + what);
    }
}
