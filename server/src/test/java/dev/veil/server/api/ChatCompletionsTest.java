package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatCompletionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.withUpstream(upstream);
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    @Test
    void answersThroughAnAliasWithTheContractHeaders() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello upstream\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hello upstream");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/usage/total_tokens").asInt()).isPositive();
        assertThat(response.headers().firstValue("x-veil-request-id")).hasValueSatisfying(id ->
                assertThat(id).startsWith("req_"));
        assertThat(response.headers().firstValue("x-veil-provider")).hasValue("openai");
        assertThat(response.headers().firstValue("x-veil-model")).hasValue("gpt-4o");
        assertThat(upstream.lastReceived().body().path("model").asText()).isEqualTo("gpt-4o");
        assertThat(upstream.lastReceived().header("authorization")).isEqualTo("Bearer sk-upstream-secret-1234");
    }

    @Test
    void sendsEachRequestItsOwnRequestId() {
        String body = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String first = veil.post("/v1/chat/completions", body).headers().firstValue("x-veil-request-id").orElseThrow();
        String second = veil.post("/v1/chat/completions", body).headers().firstValue("x-veil-request-id").orElseThrow();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void passesUnknownRequestFieldsThroughUnchanged() throws Exception {
        veil.post("/v1/chat/completions", """
                {"model":"smart","messages":[{"role":"user","content":"hi","x_future_message_field":[1,2]}],
                 "logprobs":true,"top_logprobs":2,"service_tier":"flex","brand_new_param":{"nested":{"a":[true,null]}},
                 "max_completion_tokens":77,"user":"u-1","metadata":{"use_case":"test"}}""");

        JsonNode sent = upstream.lastReceived().body();
        assertThat(sent.path("logprobs").asBoolean()).isTrue();
        assertThat(sent.path("top_logprobs").asInt()).isEqualTo(2);
        assertThat(sent.path("service_tier").asText()).isEqualTo("flex");
        assertThat(sent.path("brand_new_param")).isEqualTo(JSON.readTree("{\"nested\":{\"a\":[true,null]}}"));
        assertThat(sent.at("/messages/0/x_future_message_field")).isEqualTo(JSON.readTree("[1,2]"));
        assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(77);
        assertThat(sent.has("max_tokens")).isFalse();
        assertThat(sent.path("user").asText()).isEqualTo("u-1");
        assertThat(sent.at("/metadata/use_case").asText()).isEqualTo("test");
    }

    @Test
    void passesUnknownResponseFieldsBackToTheClient() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("service_tier").asText()).isEqualTo("default");
        assertThat(body.path("system_fingerprint").asText()).isEqualTo("fp_fake");
        assertThat(body.at("/choices/0").has("logprobs")).isTrue();
    }

    @Test
    void translatesForAPresetDialect() {
        veil.post("/v1/chat/completions", """
                {"model":"deepseek/deepseek-chat","max_completion_tokens":50,"metadata":{"k":"v"},
                 "messages":[{"role":"developer","content":"be brief"},{"role":"user","content":"hi"}]}""");

        JsonNode sent = upstream.lastReceived().body();
        assertThat(sent.path("model").asText()).isEqualTo("deepseek-chat");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(50);
        assertThat(sent.has("max_completion_tokens")).isFalse();
        assertThat(sent.has("metadata")).isFalse();
        assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(upstream.lastReceived().header("authorization")).isEqualTo("Bearer sk-ds-secret");
    }

    @Test
    void routesWellKnownPrefixesToTheirConfiguredProvider() {
        HttpResponse<String> openai = veil.post("/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        HttpResponse<String> deepseek = veil.post("/v1/chat/completions",
                "{\"model\":\"deepseek-reasoner\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(openai.headers().firstValue("x-veil-provider")).hasValue("openai");
        assertThat(openai.headers().firstValue("x-veil-model")).hasValue("gpt-4o-mini");
        assertThat(deepseek.headers().firstValue("x-veil-provider")).hasValue("deepseek");
    }

    @Test
    void splitsProviderAndModelAtTheFirstSlash() throws Exception {
        try (FakeOpenAiUpstream router = new FakeOpenAiUpstream();
             VeilUnderTest withRouter = VeilUnderTest.start(VeilUnderTest.config(upstream, "").replace(
                     "  models:", "    openrouter: {kind: openai-compatible, preset: openrouter, base-url: \""
                             + router.baseUrl() + "\", api-key: k}\n  models:"))) {
            HttpResponse<String> response = withRouter.post("/v1/chat/completions",
                    "{\"model\":\"openrouter/meta-llama/llama-3.3-70b\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"hi\"}]}");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(router.lastReceived().body().path("model").asText()).isEqualTo("meta-llama/llama-3.3-70b");
        }
    }

    @Test
    void answersAnUnknownModelWith404InOpenAiShape() throws Exception {
        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(error.path("message").asText()).contains("no-such-model");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void relaysToolDefinitionsAndToolCalls() throws Exception {
        upstream.on("gpt-4o", FakeOpenAiUpstream.toolCall("call_1", "get_weather", List.of("{\"city\":", "\"Oslo\"}")));

        HttpResponse<String> response = veil.post("/v1/chat/completions", """
                {"model":"smart","messages":[{"role":"user","content":"weather?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
                   "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},
                   "strict":true}}],
                 "tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false}""");

        JsonNode sent = upstream.lastReceived().body();
        assertThat(sent.at("/tools/0/function/parameters/required/0").asText()).isEqualTo("city");
        assertThat(sent.at("/tools/0/function/strict").asBoolean()).isTrue();
        assertThat(sent.at("/tool_choice/function/name").asText()).isEqualTo("get_weather");
        assertThat(sent.path("parallel_tool_calls").asBoolean(true)).isFalse();
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(body.at("/choices/0/message/tool_calls/0/id").asText()).isEqualTo("call_1");
        assertThat(body.at("/choices/0/message/tool_calls/0/function/arguments").asText())
                .isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(body.at("/choices/0/message/content").isNull()).isTrue();
    }

    @Test
    void relaysToolResultsAndImagePartsUpstream() {
        veil.post("/v1/chat/completions", """
                {"model":"smart","messages":[
                  {"role":"user","content":[{"type":"text","text":"what is this?"},
                     {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}}]},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function",
                     "function":{"name":"lookup","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_9","content":"a cat"}]}""");

        JsonNode sent = upstream.lastReceived().body();
        assertThat(sent.at("/messages/0/content/1/image_url/url").asText()).startsWith("data:image/png;base64,");
        assertThat(sent.at("/messages/0/content/1/image_url/detail").asText()).isEqualTo("low");
        assertThat(sent.at("/messages/1/tool_calls/0/function/name").asText()).isEqualTo("lookup");
        assertThat(sent.at("/messages/2/tool_call_id").asText()).isEqualTo("call_9");
        assertThat(sent.at("/messages/2/content").asText()).isEqualTo("a cat");
    }

    @Test
    void reusesUpstreamConnections() {
        for (int i = 0; i < 20; i++) {
            assertThat(veil.post("/v1/chat/completions",
                    "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode())
                    .isEqualTo(200);
        }

        assertThat(upstream.connections()).isLessThan(5);
    }

    @Test
    void answersTheBuiltInEchoModelWithoutNetwork() throws Exception {
        try (VeilUnderTest echo = VeilUnderTest.start("""
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers:
                    veil: {kind: echo}
                server: {port: 0}
                """)) {
            HttpResponse<String> response = echo.post("/v1/chat/completions",
                    "{\"model\":\"veil/echo\",\"messages\":[{\"role\":\"user\",\"content\":\"ping pong\"}]}");

            assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("ping pong");
        }
    }
}
