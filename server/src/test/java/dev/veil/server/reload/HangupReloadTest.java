package dev.veil.server.reload;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalProcesses;

/** {@code kill -HUP} to a real Veil process reloads its config file: the changed alias routes the next request. */
class HangupReloadTest {
    private static final String MASTER_KEY = "hangup-test-master-key";

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sighupReloadsTheConfigFile() throws Exception {
        try (FakeOpenAiUpstream upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo())
                .on("gpt-4o-mini", FakeOpenAiUpstream.echo())) {
            int port = LocalProcesses.freePort();
            int managementPort = LocalProcesses.freePort();
            String yaml = """
                    server: {host: 127.0.0.1, port: %d}
                    veil:
                      opa: {enabled: false}
                      master-key: %s
                      data-dir: "%s"
                      providers:
                        openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                      models:
                        smart: {targets: ["openai/gpt-4o"]}
                      management: {port: %d}
                      shutdown: {drain-delay: 0s, deadline: 5s}
                    """.formatted(port, MASTER_KEY, dir.resolve("data"), upstream.baseUrl(), managementPort);
            Path configFile = Files.writeString(dir.resolve("veil.yaml"), yaml);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process veil = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "dev.veil.server.Main", "--config", configFile.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("veil.log").toFile()).start();
            try {
                await("Veil ready").atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(IOException.class)
                        .until(() -> get(managementPort, "/health/ready").statusCode() == 200);
                assertThat(chat(port).statusCode()).isEqualTo(200);
                assertThat(upstream.lastReceived().body().path("model").asText()).isEqualTo("gpt-4o");
                String changed = yaml.replace("openai/gpt-4o\"]", "openai/gpt-4o-mini\"]");
                Files.writeString(configFile, changed);
                String revision = ConfigLoader.fromYaml(changed, Map.<String, String>of()::get).revision();

                Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(veil.pid())).inheritIO().start();
                assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -HUP").isTrue();

                await("the reloaded revision runs").atMost(Duration.ofSeconds(30))
                        .until(() -> get(managementPort, "/metrics").body().contains("revision=\"" + revision + "\""));
                assertThat(veil.isAlive()).as("SIGHUP does not stop Veil").isTrue();
                assertThat(chat(port).statusCode()).isEqualTo(200);
                assertThat(upstream.lastReceived().body().path("model").asText()).isEqualTo("gpt-4o-mini");
                assertThat(Files.readString(dir.resolve("veil.log"))).contains("config reloaded: revision " + revision);
            } finally {
                veil.destroy();
                if (!veil.waitFor(20, TimeUnit.SECONDS)) {
                    veil.destroyForcibly();
                    veil.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private HttpResponse<String> chat(int port) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + MASTER_KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"smart","messages":[{"role":"user","content":"hello"}]}""")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
