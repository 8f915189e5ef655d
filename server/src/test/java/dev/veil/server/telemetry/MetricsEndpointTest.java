package dev.veil.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;

/** {@code GET /metrics} on the management listener: Prometheus text, no key needed, and no content in any label. */
class MetricsEndpointTest {
    private static final String MARKER = "zebra-marker-5519";
    private static final String EMAIL = "ann.lee@example.org";
    private static final String PHONE = "+44 20 7946 0958";

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
        veil = VeilUnderTest.startAsMain(VeilUnderTest.config(upstream, """
                  management: {port: 0}
                  plugins:
                    - name: pii-redaction
                """));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private HttpResponse<String> chat(String model, String text, boolean stream, String key) {
        return veil.send(veil.request("/v1/chat/completions").setHeader("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"%s","stream":%s,"messages":[{"role":"user","content":"%s"}]}"""
                        .formatted(model, stream, text))).build());
    }

    private HttpResponse<String> scrape(String path) {
        return veil.send(HttpRequest.newBuilder(URI.create(veil.managementUrl() + path))
                .timeout(Duration.ofSeconds(10)).GET().build());
    }

    @Test
    void servesTheRequestMetricsInPrometheusTextWithoutAKey() {
        assertThat(chat("smart", "hello", false, VeilUnderTest.MASTER_KEY).statusCode()).isEqualTo(200);
        assertThat(chat("smart", "hello there", true, VeilUnderTest.MASTER_KEY).statusCode()).isEqualTo(200);

        HttpResponse<String> metrics = scrape("/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body().lines().filter(line -> line.startsWith("veil_requests_total{")))
                .singleElement().satisfies(line -> assertThat(line)
                        .contains("veil_surface=\"openai.chat\"", "http_response_status_code=\"200\"",
                                "gen_ai_provider_name=\"openai\"", "gen_ai_response_model=\"gpt-4o\"")
                        .endsWith(" 2.0"));
        assertThat(metrics.body()).contains("# TYPE veil_request_duration_seconds histogram",
                "# TYPE gen_ai_server_time_to_first_token_seconds histogram", "gen_ai_client_token_usage",
                "veil_plugin_duration_seconds_count{", "veil_plugin_name=\"pii-redaction\"");
    }

    @Test
    void putsNoContentPersonalDataOrKeyIntoAnyLabel() {
        chat("smart", MARKER + " mail " + EMAIL + " call " + PHONE, false, VeilUnderTest.MASTER_KEY);
        chat("smart", MARKER + " " + EMAIL, true, VeilUnderTest.MASTER_KEY);
        chat("openai/" + EMAIL, "x", false, VeilUnderTest.MASTER_KEY);
        chat("smart", "x", false, "wrong-key-" + MARKER);

        String metrics = scrape("/metrics").body();

        assertThat(metrics).contains("veil_requests_total{", "http_response_status_code=\"401\"",
                "gen_ai_response_model=\"other\"");
        for (String secret : List.of(MARKER, EMAIL, PHONE, VeilUnderTest.MASTER_KEY, "sk-upstream-secret",
                "sk-ds-secret")) {
            assertThat(metrics).as("the scrape").doesNotContain(secret);
        }
    }

    @Test
    void countsPolicyDecisionsAndTheirLatency() throws Exception {
        veil.close();
        try (OpaProcess opa = OpaProcess.start()) {
            veil = VeilUnderTest.startAsMain(VeilUnderTest.config(upstream, "  management: {port: 0}\n")
                    .replace("opa: {enabled: false}", "opa: {url: \"" + opa.url() + "\"}"));
            assertThat(chat("smart", "hello", false, VeilUnderTest.MASTER_KEY).statusCode()).isEqualTo(200);

            String metrics = scrape("/metrics").body();

            assertThat(metrics.lines().filter(line -> line.startsWith("veil_policy_decisions_total{")))
                    .singleElement().satisfies(line -> assertThat(line)
                            .contains("result=\"allow\"", "veil_policy_cached=\"false\"").endsWith(" 1.0"));
            assertThat(metrics).contains("veil_policy_duration_seconds_count{");
        }
    }

    @Test
    void measuresTheAuditQueueAndCommitLag(@TempDir Path dataDir) throws Exception {
        veil.close();
        Files.writeString(dataDir.resolve("audit-key"), Base64.getEncoder().encodeToString(new byte[32]));
        veil = VeilUnderTest.startAsMain(VeilUnderTest.config(upstream, """
                  management: {port: 0}
                  data-dir: "%s"
                  audit: {key-file: "%s"}
                """.formatted(dataDir, dataDir.resolve("audit-key"))));
        assertThat(chat("smart", "hello", false, VeilUnderTest.MASTER_KEY).statusCode()).isEqualTo(200);

        String metrics = scrape("/metrics").body();

        assertThat(metrics).contains("veil_audit_queue_depth{");
        assertThat(metrics.lines().filter(line -> line.startsWith("veil_audit_commit_lag_seconds_count{")))
                .singleElement().asString().endsWith(" 1");
    }

    @Test
    void servesTheHealthChecksOnTheManagementListenerButNotTheApi() {
        assertThat(scrape("/health/live").statusCode()).isEqualTo(200);
        assertThat(scrape("/health/ready").statusCode()).isEqualTo(200);
        assertThat(scrape("/v1/models").statusCode()).isEqualTo(404);
        assertThat(veil.get("/metrics").statusCode()).isEqualTo(404);
    }
}
