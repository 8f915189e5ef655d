package dev.veil.server.testing;

import static dev.veil.server.testing.Awaits.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A real OPA server on a free loopback port, serving a copy of the project's {@code policies/} (which a test may then
 * change on disk). The binary is {@code opa} on the PATH, or the project-local one {@code ./veil test} installs.
 */
public final class OpaProcess implements AutoCloseable {
    private static final Path PROJECT = Path.of(System.getProperty("veil.project.dir", ".."));
    private static final String SETTINGS_FILE = "veil/settings/data.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path policies;
    private final String defaultSettings;

    private OpaProcess(Process process, int port, Path policies) throws IOException {
        this.process = process;
        this.port = port;
        this.policies = policies;
        this.defaultSettings = Files.readString(policies.resolve(SETTINGS_FILE));
    }

    /** Starts OPA on a fresh copy of {@code policies/}, watching it for changes. */
    public static OpaProcess start() throws IOException, InterruptedException {
        Path copy = Files.createTempDirectory("veil-policies");
        copyTree(PROJECT.resolve("policies"), copy);
        int port = LocalProcesses.freePort();
        List<String> command = new ArrayList<>(List.of(binary().toString(), "run", "--server", "--addr",
                "127.0.0.1:" + port, "--log-level", "error", "--set", "decision_logs.console=true", "--watch",
                copy.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        OpaProcess opa = new OpaProcess(process, port, copy);
        opa.awaitHealthy();
        return opa;
    }

    /** The OPA binary the project's scripts use. */
    public static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "opa");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Path local = PROJECT.resolve(".tools/bin/opa");
        if (Files.isExecutable(local)) {
            return local;
        }
        throw new IllegalStateException("OPA is missing: run ./veil test, which installs it into .tools/bin "
                + "(go install github.com/open-policy-agent/opa@v1.22.3)");
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The policies directory OPA serves and watches. */
    public Path policies() {
        return policies;
    }

    /** Reads a document from OPA's data API. */
    public String data(String path) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        return client.send(HttpRequest.newBuilder(URI.create(url() + "/v1/data/" + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Whether OPA has loaded a policy file named {@code name}, asked without evaluating any policy. */
    public boolean loaded(String name) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        return client.send(HttpRequest.newBuilder(URI.create(url() + "/v1/policies")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body().contains(name);
    }

    /**
     * Serves the project's default policy settings with one value replaced — {@code path} is dotted, such as
     * {@code authz.rules} — and waits until OPA has loaded them.
     */
    public void setting(String path, String json) throws IOException, InterruptedException {
        ObjectNode root = (ObjectNode) JSON.readTree(defaultSettings);
        String[] keys = path.split("\\.");
        ObjectNode parent = root;
        for (int i = 0; i < keys.length - 1; i++) {
            parent = (ObjectNode) parent.get(keys[i]);
        }
        parent.set(keys[keys.length - 1], JSON.readTree(json));
        serveSettings(JSON.writeValueAsString(root));
    }

    /** Serves the project's default policy settings again, and waits until OPA has loaded them. */
    public void defaultSettings() throws IOException, InterruptedException {
        serveSettings(defaultSettings);
    }

    private void serveSettings(String json) throws IOException, InterruptedException {
        Files.writeString(policies.resolve(SETTINGS_FILE), json);
        JsonNode wanted = JSON.readTree(json);
        await("OPA loading the changed settings").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> JSON.readTree(data("veil/settings")).path("result").equals(wanted));
    }

    private void awaitHealthy() {
        LocalProcesses.awaitOk("OPA becoming healthy", process, URI.create(url() + "/health"), Duration.ofSeconds(10),
                () -> "its output is not kept");
    }

    @Override
    public void close() {
        LocalProcesses.stop(process);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
