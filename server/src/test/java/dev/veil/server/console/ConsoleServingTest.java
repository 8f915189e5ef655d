package dev.veil.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Veil serves the console's files itself, under a policy that allows no inline script and nothing from elsewhere. */
class ConsoleServingTest {
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

    private static HttpResponse<String> fetch(String path) {
        return veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + path)).GET().build());
    }

    @Test
    void theConsolePageIsServedWithoutAKeyAsHtml() {
        HttpResponse<String> page = fetch("/console");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/console/app.js\">");
    }

    @Test
    void theTrailingSlashServesTheSamePage() {
        assertThat(fetch("/console/").body()).isEqualTo(fetch("/console").body());
    }

    @Test
    void everyFileCarriesAPolicyThatAllowsOnlyVeilsOwnScriptsAndNoInlineOnes() {
        String policy = fetch("/console/app.js").headers().firstValue("content-security-policy").orElseThrow();

        assertThat(policy).contains("default-src 'none'", "script-src 'self';", "connect-src 'self'",
                "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
    }

    @Test
    void scriptsAreServedAsJavaScriptModulesAndStylesAsCss() {
        assertThat(fetch("/console/app.js").headers().firstValue("content-type"))
                .hasValue("text/javascript; charset=utf-8");
        assertThat(fetch("/console/console.css").headers().firstValue("content-type"))
                .hasValue("text/css; charset=utf-8");
        assertThat(fetch("/console/favicon.svg").headers().firstValue("content-type")).hasValue("image/svg+xml");
    }

    @Test
    void noFileNamesAnythingOutsideVeil() {
        for (String file : new String[] {"index.html", "app.js", "api.js", "dom.js", "chart.js", "keys.js",
                "spend.js", "decisions.js", "overview.js", "providers.js", "privacy.js", "sso.js", "console.css"}) {
            // The SVG namespace is a name, not an address anything is fetched from.
            assertThat(fetch("/console/" + file).body().replace("http://www.w3.org/2000/svg", "")).as(file)
                    .doesNotContain("http://", "https://", "@import");
        }
    }

    @Test
    void aFileIsRevalidatedByItsEntityTagAndAnUnchangedOneIsA304() {
        HttpResponse<String> first = fetch("/console/app.js");
        String etag = first.headers().firstValue("etag").orElseThrow();

        HttpResponse<String> again = veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/console/app.js"))
                .header("If-None-Match", etag).GET().build());

        assertThat(first.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void aNameThatIsNotOneOfTheConsolesFilesIsA404() {
        assertThat(fetch("/console/..%2Fpom.xml").statusCode()).isEqualTo(404);
        assertThat(fetch("/console/ConsoleAssets.class").statusCode()).isEqualTo(404);
        assertThat(fetch("/console/missing.js").statusCode()).isEqualTo(404);
    }
}
