package dev.veil.server.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.audit.AuditDatabase;
import dev.veil.server.audit.AuditExporter;
import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.OpaProcess;
import dev.veil.server.testing.VeilUnderTest;

/**
 * What a reload keeps and what it tells others: the audit log goes on recording in the same chain, and OPA gets the
 * new provider catalogue before the first request that needs it, with readiness up throughout.
 */
class ReloadSharedStateTest {
    private static final String EXTRA = """
                extra: {kind: openai, base-url: "%s", api-key: "sk-extra"}
            """;

    @TempDir
    Path dir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo())
                .on("gpt-4o-mini", FakeOpenAiUpstream.echo());
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private static VeilConfig parse(String yaml) {
        return ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get);
    }

    private HttpResponse<String> chat(String model) {
        return veil.post("/v1/chat/completions", """
                {"model":"%s","messages":[{"role":"user","content":"hello"}]}""".formatted(model));
    }

    /** {@code yaml} with the provider {@code extra} and the alias {@code fast} for its {@code gpt-4o-mini}. */
    private String withExtraProvider(String yaml) {
        return yaml.replace("  models:\n", "  models:\n    fast: {targets: [\"extra/gpt-4o-mini\"]}\n")
                .replace("  providers:\n", "  providers:\n" + EXTRA.formatted(upstream.baseUrl()));
    }

    @Test
    void theAuditLogRecordsRequestsBeforeAndAfterAReloadInOneChain() throws Exception {
        Path key = Files.writeString(dir.resolve("audit-key"), Base64.getEncoder().encodeToString(new byte[32]));
        String yaml = VeilUnderTest.config(upstream, """
                  data-dir: "%s"
                  audit: {key-file: "%s"}
                """.formatted(dir.resolve("data"), key));
        veil = VeilUnderTest.start(yaml);
        String before = chat("smart").headers().firstValue("x-veil-request-id").orElseThrow();

        assertThat(veil.server().reload(parse(withExtraProvider(yaml))).outcome())
                .isEqualTo(ReloadResult.Outcome.SUCCEEDED);
        HttpResponse<String> answered = chat("fast");
        String after = answered.headers().firstValue("x-veil-request-id").orElseThrow();
        VeilConfig config = parse(yaml);
        veil.close();
        veil = null;

        assertThat(answered.statusCode()).isEqualTo(200);
        try (AuditDatabase database = AuditDatabase.open(config.audit().orElseThrow(), false)) {
            assertThat(new AuditExporter(database).all().values()).extracting(record -> record.get("request_id"))
                    .contains(before, after);
        }
    }

    @Test
    void opaHasTheNewProviderCatalogueWhenTheReloadReturns() throws Exception {
        try (OpaProcess opa = OpaProcess.start()) {
            String yaml = VeilUnderTest.config(upstream, "  management: {port: 0}\n")
                    .replace("opa: {enabled: false}", "opa: {url: \"" + opa.url() + "\"}");
            veil = VeilUnderTest.startAsMain(yaml);
            assertThat(chat("smart").statusCode()).isEqualTo(200);

            ReloadResult result = veil.server().reload(parse(withExtraProvider(yaml)));

            assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.SUCCEEDED);
            assertThat(opa.data("veil/catalog")).contains("\"extra\"");
            assertThat(veil.send(HttpRequest.newBuilder(URI.create(veil.managementUrl() + "/health/ready"))
                    .timeout(Duration.ofSeconds(5)).GET().build()).statusCode()).isEqualTo(200);
            assertThat(chat("fast").statusCode()).isEqualTo(200);
            assertThat(upstream.lastReceived().body().path("model").asText()).isEqualTo("gpt-4o-mini");
        }
    }
}
