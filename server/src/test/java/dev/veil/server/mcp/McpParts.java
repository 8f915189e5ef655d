package dev.veil.server.mcp;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The real parts of the MCP tests, from {@code src/test/mcp}: an MCP server over Streamable HTTP built with the
 * official TypeScript SDK ({@code crm_server.mjs}), one over stdio built with the official Python SDK
 * ({@code tickets_server.py}), and the official TypeScript and Python clients ({@code client.mjs},
 * {@code client.py}). {@code ./veil test}
 * installs their packages; a missing one fails the test with a message saying how to install it.
 */
final class McpParts {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path PROJECT = Path.of(System.getProperty("veil.project.dir", "..")).toAbsolutePath().normalize();
    static final Path DIR = PROJECT.resolve("server/src/test/mcp");
    static final Path PYTHON = PROJECT.resolve(".tools/mcp-venv/bin/python");
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private McpParts() {
    }

    static void requireNode() {
        if (!Files.isDirectory(DIR.resolve("node_modules/@modelcontextprotocol/sdk"))) {
            fail("the MCP SDK npm packages are missing: run ./veil test, which installs them (npm ci --prefix "
                    + "server/src/test/mcp)");
        }
    }

    /** The Python of the project-local venv with the {@code mcp} package. */
    static Path python() {
        if (!Files.isExecutable(PYTHON)) {
            fail("the Python MCP SDK is missing: run ./veil test, which installs it (python3 -m venv "
                    + ".tools/mcp-venv && .tools/mcp-venv/bin/pip install -r server/src/test/mcp/requirements.txt)");
        }
        return PYTHON;
    }

    static Path script(String name) {
        return DIR.resolve(name);
    }

    /** The CRM server over Streamable HTTP, on a free port. */
    static final class CrmServer implements AutoCloseable {
        private final Process process;
        private final int port;
        private final HttpClient http = HttpClient.newHttpClient();

        CrmServer() throws IOException, InterruptedException {
            requireNode();
            process = new ProcessBuilder("node", "crm_server.mjs").directory(DIR.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            });
            String first;
            try {
                first = line.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
                throw new IllegalStateException("node crm_server.mjs did not start", e);
            }
            if (first == null || !first.startsWith("listening ")) {
                process.destroyForcibly();
                throw new IllegalStateException("node crm_server.mjs did not start: " + first);
            }
            port = Integer.parseInt(first.substring("listening ".length()).trim());
        }

        String url() {
            return "http://127.0.0.1:" + port + "/mcp";
        }

        void describeLookup(String description) throws IOException, InterruptedException {
            control("/control/description", JSON.createObjectNode().put("description", description).toString());
        }

        void hang(boolean hang) throws IOException, InterruptedException {
            control("/control/hang", "{\"hang\":" + hang + "}");
        }

        private void control(String path, String body) throws IOException, InterruptedException {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 204) {
                throw new IllegalStateException("control " + path + " answered " + response.statusCode());
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            http.close();
        }
    }

    /** Runs the official TypeScript client on {@code plan} (see {@code client.mjs}) and returns what it printed. */
    static JsonNode client(JsonNode plan) throws IOException, InterruptedException {
        requireNode();
        return run(plan, "node", "client.mjs");
    }

    /** Runs the official Python client on {@code plan} (see {@code client.py}) and returns what it printed. */
    static JsonNode pythonClient(JsonNode plan) throws IOException, InterruptedException {
        return run(plan, python().toString(), "client.py");
    }

    private static JsonNode run(JsonNode plan, String program, String script)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("veil-mcp-client", ".json");
        try {
            Process process = new ProcessBuilder(program, script, plan.toString()).directory(DIR.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return fail(script + " did not finish in time; its output: " + Files.readString(output));
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            try {
                return JSON.readTree(text.substring(text.lastIndexOf("\n{") + 1));
            } catch (IOException | StringIndexOutOfBoundsException e) {
                return fail(script + " printed no JSON: " + text);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
