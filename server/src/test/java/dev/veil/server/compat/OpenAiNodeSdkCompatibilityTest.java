package dev.veil.server.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.NodeScript;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code src/test/node/openai-compat.mjs}, which drives Veil with the official {@code openai} npm package, against
 * the real server on a fake upstream set up the way the script's header describes. The script runs once; its npm
 * packages are installed by {@code ./veil test} ({@code npm ci --prefix server/src/test/node}).
 */
class OpenAiNodeSdkCompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The tool definition the script sends, as it must reach the upstream. */
    private static final String WEATHER_TOOL_JSON = """
            [{"type":"function","function":{"name":"get_weather","description":"Current weather in a city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"},
                "unit":{"type":"string","enum":["celsius","fahrenheit"]}},
                "required":["city","unit"],"additionalProperties":false},
              "strict":true}}]""";

    private static FakeOpenAiUpstream upstream;
    private static VeilUnderTest veil;
    private static NodeScript.Run run;


    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeOpenAiUpstream()
                .on("gpt-tools", FakeOpenAiUpstream.toolCall("call_node_1", "get_weather",
                        List.of("{\"city\":", "\"Oslo\",", "\"unit\":\"celsius\"}")))
                .on("gpt-broken", FakeOpenAiUpstream.errorMidStream(List.of("The ", "partial "), "generation failed"))
                .on("text-embedding-3-small", CompatUpstream.embeddings(0.5f, -0.25f, 0.125f));
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                    tools: {targets: ["openai/gpt-tools"]}
                    broken: {targets: ["openai/gpt-broken"]}
                """));
    }

    @AfterAll
    static void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void passesEveryCheckOfTheOfficialNodeClient() throws Exception {
        NodeScript.Run script = script();

        assertThat(script.exitCode())
                .as("node openai-compat.mjs exited with %d; its output:%n%s", script.exitCode(), script.output())
                .isZero();
        assertThat(script.output()).contains("checks passed");
    }

    @Test
    void passesTheNodeClientsToolDefinitionUpstreamIntact() throws Exception {
        NodeScript.Run script = script();

        List<FakeOpenAiUpstream.Received> toolRequests = upstream.received().stream()
                .filter(received -> received.body().path("model").asText().equals("gpt-tools"))
                .toList();
        assertThat(toolRequests).as("requests the script sent to the tools model; its output:%n%s", script.output())
                .isNotEmpty()
                .allSatisfy(received -> assertThat(received.body().path("tools"))
                        .isEqualTo(JSON.readTree(WEATHER_TOOL_JSON)));
    }

    /** Runs the script the first time a test needs it; both tests look at the same run. */
    private static synchronized NodeScript.Run script() throws IOException, InterruptedException {
        if (run == null) {
            run = NodeScript.run("openai-compat.mjs", "openai", "OPENAI_", veil.baseUrl() + "/v1");
        }
        return run;
    }
}
