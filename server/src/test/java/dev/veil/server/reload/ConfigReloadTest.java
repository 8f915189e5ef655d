package dev.veil.server.reload;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;

/**
 * Reloading a running Veil through its reload entry point (what SIGHUP and the file watcher call): the new config
 * serves the next request, a request in flight finishes on the config it started with, and a config that is invalid
 * or changes a restart-only key changes nothing, says which key, and is counted on {@code /metrics}.
 */
class ConfigReloadTest {
    private static final String MANAGEMENT = """
              management: {port: 0}
            """;

    @TempDir
    Path dir;

    private final CountDownLatch release = new CountDownLatch(1);
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private String yaml;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo())
                .on("gpt-4o-mini", FakeOpenAiUpstream.echo())
                .on("held", FakeOpenAiUpstream.gated("first ", release, List.of("second ", "last")));
        yaml = VeilUnderTest.config(upstream, MANAGEMENT);
        veil = VeilUnderTest.startAsMain(yaml);
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        veil.close();
        upstream.close();
    }

    private static VeilConfig parse(String yaml) {
        return ConfigLoader.fromYaml(yaml, Map.<String, String>of()::get);
    }

    private HttpResponse<String> chat(String model) {
        return veil.post("/v1/chat/completions", """
                {"model":"%s","messages":[{"role":"user","content":"hello"}]}""".formatted(model));
    }

    private String metrics() {
        return veil.send(HttpRequest.newBuilder(URI.create(veil.managementUrl() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build()).body();
    }

    /** Reads events until one carries {@code text}; false if the stream ended first. */
    private static boolean untilContent(SseClient stream, String text) throws Exception {
        for (String event = stream.next(); event != null; event = stream.next()) {
            if (event.contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static String reloads(String metrics, String outcome) {
        return metrics.lines().filter(line -> line.startsWith("veil_config_reloads_total{")
                && line.contains("outcome=\"" + outcome + "\"")).findFirst().orElse("");
    }

    @Test
    void aChangedAliasRoutesTheNextRequest() {
        assertThat(chat("smart").statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().path("model").asText()).isEqualTo("gpt-4o");

        ReloadResult result = veil.server().reload(parse(yaml.replace("openai/gpt-4o\"]", "openai/gpt-4o-mini\"]")));

        assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.SUCCEEDED);
        assertThat(chat("smart").statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().path("model").asText()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void requestsKeepBeingAnsweredWhileTheConfigIsReloadedOverAndOver() throws Exception {
        String other = yaml.replace("openai/gpt-4o\"]", "openai/gpt-4o-mini\"]");
        AtomicBoolean reloading = new AtomicBoolean(true);
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(Thread.ofVirtual().start(() -> {
                while (reloading.get()) {
                    statuses.add(chat("smart").statusCode());
                }
            }));
        }
        await("requests under way").atMost(Duration.ofSeconds(10)).until(() -> statuses.size() >= 4);

        for (int i = 0; i < 10; i++) {
            assertThat(veil.server().reload(parse(i % 2 == 0 ? other : yaml)).outcome())
                    .isEqualTo(ReloadResult.Outcome.SUCCEEDED);
        }
        reloading.set(false);
        for (Thread client : clients) {
            client.join();
        }

        assertThat(statuses).isNotEmpty().containsOnly(200);
        assertThat(upstream.received()).extracting(received -> received.body().path("model").asText())
                .contains("gpt-4o", "gpt-4o-mini");
    }

    @Test
    void aNewAliasIsListedAndServedAfterTheReload() {
        assertThat(chat("fast").statusCode()).isEqualTo(404);

        veil.server().reload(parse(yaml.replace("  models:\n", "  models:\n    fast: {targets: [\"openai/gpt-4o-mini\"]}\n")));

        assertThat(chat("fast").statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(veil.get("/v1/models").body()).contains("\"fast\"");
    }

    @Test
    void aStreamInFlightFinishesOnTheConfigItStartedWhileNewRequestsUseTheNewOne() throws Exception {
        try (FakeOpenAiUpstream replacement = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo())) {
            try (SseClient stream = SseClient.post(veil, "/v1/chat/completions", """
                    {"model":"openai/held","stream":true,"messages":[{"role":"user","content":"hi"}]}""")) {
                assertThat(untilContent(stream, "first ")).isTrue();

                ReloadResult result = veil.server().reload(parse(VeilUnderTest.config(replacement, MANAGEMENT)));

                assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.SUCCEEDED);
                assertThat(chat("smart").statusCode()).isEqualTo(200);
                assertThat(replacement.received()).hasSize(1);
                release.countDown();
                assertThat(String.join("", stream.rest())).contains("second ", "last", "[DONE]");
            }
            assertThat(upstream.received()).extracting(received -> received.body().path("model").asText())
                    .containsExactly("held");
        }
    }

    @Test
    void anInvalidFileKeepsTheRunningConfigLogsTheKeyAndCountsAFailure() throws Exception {
        String revision = veil.server().revision();
        Path file = dir.resolve("veil.yaml");
        Files.writeString(file, yaml.replace("openai/gpt-4o\"]", "nowhere/gpt-4o\"]"));
        ReloadResult result;
        try (CapturedLogs logs = CapturedLogs.open()) {
            result = veil.server().reload(file, Map.<String, String>of()::get);

            assertThat(logs.text()).contains("config reload failed: veil.models.smart", "nowhere",
                    "revision " + revision + " keeps running");
        }

        assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.FAILED);
        assertThat(result.message()).startsWith("veil.models.smart");
        assertThat(veil.server().revision()).isEqualTo(revision);
        assertThat(chat("smart").statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().path("model").asText()).isEqualTo("gpt-4o");
        String metrics = metrics();
        assertThat(reloads(metrics, "failed")).endsWith(" 1.0");
        assertThat(metrics).contains("veil_config_revision{").contains("revision=\"" + revision + "\"");
    }

    @Test
    void aPluginThatFailsToStartKeepsTheRunningConfigAndNamesIt() {
        String revision = veil.server().revision();
        ReloadResult result;
        try (CapturedLogs logs = CapturedLogs.open()) {
            result = veil.server().reload(parse(yaml + "  plugins:\n    - name: no-such-plugin\n"));

            assertThat(logs.text()).contains("config reload failed: ", "no-such-plugin");
        }

        assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.FAILED);
        assertThat(result.message()).contains("veil.plugins");
        assertThat(veil.server().revision()).isEqualTo(revision);
        assertThat(chat("smart").statusCode()).isEqualTo(200);
        assertThat(reloads(metrics(), "failed")).endsWith(" 1.0");
    }

    @Test
    void aChangeToARestartOnlyKeyIsRefusedNamingTheKey() {
        String revision = veil.server().revision();
        ReloadResult result;
        try (CapturedLogs logs = CapturedLogs.open()) {
            result = veil.server().reload(parse(yaml.replace("  models:\n", "  data-dir: elsewhere\n  models:\n")
                    .replace("openai/gpt-4o\"]", "openai/gpt-4o-mini\"]")));

            assertThat(logs.text()).contains("config reload refused: veil.data-dir", "only at startup",
                    "restart Veil to change");
        }

        assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.REFUSED);
        assertThat(result.message()).startsWith("veil.data-dir").contains("effect only at startup");
        assertThat(veil.server().revision()).isEqualTo(revision);
        assertThat(chat("smart").statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().path("model").asText())
                .as("nothing of a refused config applies").isEqualTo("gpt-4o");
        assertThat(reloads(metrics(), "refused")).endsWith(" 1.0");
    }

    @Test
    void aSuccessfulReloadIsCountedAndShowsTheNewRevision() {
        VeilConfig next = parse(yaml.replace("openai/gpt-4o\"]", "openai/gpt-4o-mini\"]"));

        veil.server().reload(next);

        String metrics = metrics();
        assertThat(reloads(metrics, "succeeded")).endsWith(" 1.0");
        assertThat(metrics).contains("revision=\"" + next.revision() + "\"", "veil_config_loaded_time_seconds");
        assertThat(veil.server().revision()).isEqualTo(next.revision());
    }
}
