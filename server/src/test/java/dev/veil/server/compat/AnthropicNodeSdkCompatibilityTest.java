package dev.veil.server.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeAnthropicUpstream.Block;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code src/test/node/anthropic-compat.mjs}, which drives Veil's {@code /v1/messages} with the official
 * {@code @anthropic-ai/sdk} npm package, against the real server on an OpenAI and an Anthropic fake upstream set up
 * the way the script's header describes. Its npm packages are installed by {@code ./veil test}.
 */
class AnthropicNodeSdkCompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NODE_DIR = Path.of(System.getProperty("veil.node.dir", "src/test/node"));
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);
    private static final String MISSING_PACKAGES = "npm packages for the client tests are missing: run ./veil test, "
            + "which installs them (npm ci --prefix server/src/test/node)";
    private static final String WEATHER_TOOL_JSON = """
            {"name":"get_weather","description":"Current weather in a city",
             "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}""";
    private static final List<String> ARGUMENTS = List.of("{\"city\":", "\"Oslo\"}");

    private static FakeOpenAiUpstream openai;
    private static FakeAnthropicUpstream anthropic;
    private static VeilUnderTest veil;
    private static ScriptRun run;

    private record ScriptRun(int exitCode, String output) {
    }

    @BeforeAll
    static void start() throws Exception {
        openai = new FakeOpenAiUpstream()
                .on("gpt-tools", FakeOpenAiUpstream.toolCall("toolu_node", "get_weather", ARGUMENTS));
        anthropic = new FakeAnthropicUpstream()
                .on("claude-tools", FakeAnthropicUpstream.answer(List.of(
                        Block.toolUse("toolu_node", "get_weather", ARGUMENTS.toArray(String[]::new))), "tool_use"))
                .on("claude-broken", FakeAnthropicUpstream.errorMidStream(List.of(Block.text("The ", "partial ")),
                        "overloaded_error", "Overloaded"));
        veil = VeilUnderTest.start("""
                server: {host: 127.0.0.1, port: 0}
                veil:
                  master-key: %s
                  upstream: {connect-timeout: 2s, read-timeout: 5s}
                  providers:
                    openai: {kind: openai, base-url: "%s", api-key: "sk-upstream"}
                    anthropic: {kind: anthropic, base-url: "%s", api-key: "sk-ant-upstream"}
                """.formatted(VeilUnderTest.MASTER_KEY, openai.baseUrl(), anthropic.baseUrl()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        if (openai != null) {
            openai.close();
        }
        if (anthropic != null) {
            anthropic.close();
        }
    }

    @Test
    void passesEveryCheckOfTheOfficialNodeClient() throws Exception {
        ScriptRun script = script();

        assertThat(script.exitCode())
                .as("node anthropic-compat.mjs exited with %d; its output:%n%s", script.exitCode(), script.output())
                .isZero();
        assertThat(script.output()).contains("checks passed");
    }

    @Test
    void passesTheNodeClientsToolDefinitionUpstreamIntact() throws Exception {
        ScriptRun script = script();

        List<JsonNode> sent = openai.received().stream()
                .filter(received -> received.body().path("model").asText().equals("gpt-tools"))
                .map(received -> received.body().path("tools").get(0))
                .toList();
        assertThat(sent).as("tools the script sent to gpt-tools; its output:%n%s", script.output()).isNotEmpty()
                .allSatisfy(tool -> assertThat(tool.path("function").path("parameters"))
                        .isEqualTo(JSON.readTree(WEATHER_TOOL_JSON).path("input_schema")));
    }

    /** Runs the script the first time a test needs it; both tests look at the same run. */
    private static synchronized ScriptRun script() throws IOException, InterruptedException {
        if (run == null) {
            run = runScript();
        }
        return run;
    }

    private static ScriptRun runScript() throws IOException, InterruptedException {
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("@anthropic-ai").resolve("sdk"))) {
            fail(MISSING_PACKAGES);
        }
        Path output = Files.createTempFile("veil-anthropic-node-compat", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder("node", "anthropic-compat.mjs")
                    .directory(NODE_DIR.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("ANTHROPIC_"));
            builder.environment().put("VEIL_BASE_URL", veil.baseUrl());
            builder.environment().put("VEIL_API_KEY", VeilUnderTest.MASTER_KEY);
            builder.environment().put("NO_COLOR", "1");
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                return fail("could not start node from PATH (Node.js 20 or later is needed for the client tests): "
                        + e.getMessage());
            }
            if (!process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return fail("node anthropic-compat.mjs did not finish within " + SCRIPT_TIMEOUT.toMinutes()
                        + " minutes; its output so far:\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new ScriptRun(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
