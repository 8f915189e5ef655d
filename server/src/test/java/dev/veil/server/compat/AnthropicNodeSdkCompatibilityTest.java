package dev.veil.server.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeAnthropicUpstream.Block;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.NodeScript;
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
    private static final String WEATHER_TOOL_JSON = """
            {"name":"get_weather","description":"Current weather in a city",
             "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}""";
    private static final List<String> ARGUMENTS = List.of("{\"city\":", "\"Oslo\"}");

    private static FakeOpenAiUpstream openai;
    private static FakeAnthropicUpstream anthropic;
    private static VeilUnderTest veil;
    private static NodeScript.Run run;


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
                  opa: {enabled: false}
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
        NodeScript.Run script = script();

        assertThat(script.exitCode())
                .as("node anthropic-compat.mjs exited with %d; its output:%n%s", script.exitCode(), script.output())
                .isZero();
        assertThat(script.output()).contains("checks passed");
    }

    @Test
    void passesTheNodeClientsToolDefinitionUpstreamIntact() throws Exception {
        NodeScript.Run script = script();

        List<JsonNode> sent = openai.received().stream()
                .filter(received -> received.body().path("model").asText().equals("gpt-tools"))
                .map(received -> received.body().path("tools").get(0))
                .toList();
        assertThat(sent).as("tools the script sent to gpt-tools; its output:%n%s", script.output()).isNotEmpty()
                .allSatisfy(tool -> assertThat(tool.path("function").path("parameters"))
                        .isEqualTo(JSON.readTree(WEATHER_TOOL_JSON).path("input_schema")));
    }

    /** Runs the script the first time a test needs it; both tests look at the same run. */
    private static synchronized NodeScript.Run script() throws IOException, InterruptedException {
        if (run == null) {
            run = NodeScript.run("anthropic-compat.mjs", "@anthropic-ai/sdk", "ANTHROPIC_", veil.baseUrl());
        }
        return run;
    }
}
