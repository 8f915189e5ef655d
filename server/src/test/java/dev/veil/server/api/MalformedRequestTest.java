package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Throws hundreds of malformed, truncated and mistyped bodies at the API. Each must get a 4xx OpenAI error — never
 * a 500, a hang, a stack trace, or a call upstream.
 */
class MalformedRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALID_CHAT = """
            {"model":"smart","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":\
            "text","text":"Hi \u00e9\u00e8 \ud83d\ude00"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}],\
            "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"temperature":0.5,\
            "stream":false,"stop":["\\n"]}""";
    private static final String VALID_EMBEDDINGS = "{\"model\":\"openai/text-embedding-3-small\",\"input\":[\"a\",\"b\"]}";

    private static FakeOpenAiUpstream upstream;
    private static VeilUnderTest veil;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.withUpstream(upstream);
    }

    @AfterAll
    static void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    static Stream<Arguments> malformedBodies() {
        List<Arguments> cases = new ArrayList<>();
        byte[] chat = VALID_CHAT.getBytes(StandardCharsets.UTF_8);
        for (int length = 0; length < chat.length; length += 1) {
            cases.add(Arguments.of("chat truncated at " + length, "/v1/chat/completions",
                    java.util.Arrays.copyOf(chat, length)));
        }
        byte[] embeddings = VALID_EMBEDDINGS.getBytes(StandardCharsets.UTF_8);
        for (int length = 0; length < embeddings.length; length += 3) {
            cases.add(Arguments.of("embeddings truncated at " + length, "/v1/embeddings",
                    java.util.Arrays.copyOf(embeddings, length)));
        }
        String user = "[{\"role\":\"user\",\"content\":\"hi\"}]";
        String[][] chatMutations = {
                {"not an object", "[1,2,3]"}, {"a string", "\"hello\""}, {"a number", "42"}, {"null", "null"},
                {"model missing", "{\"messages\":" + user + "}"},
                {"model a number", "{\"model\":5,\"messages\":" + user + "}"},
                {"model empty", "{\"model\":\"\",\"messages\":" + user + "}"},
                {"messages missing", "{\"model\":\"smart\"}"},
                {"messages empty", "{\"model\":\"smart\",\"messages\":[]}"},
                {"messages a string", "{\"model\":\"smart\",\"messages\":\"hi\"}"},
                {"message a number", "{\"model\":\"smart\",\"messages\":[7]}"},
                {"role unknown", "{\"model\":\"smart\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"},
                {"role missing", "{\"model\":\"smart\",\"messages\":[{\"content\":\"x\"}]}"},
                {"content a number", "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":1}]}"},
                {"user content missing", "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\"}]}"},
                {"part without type", "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":[{}]}]}"},
                {"text part without text",
                        "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}"},
                {"image part without url", "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"image_url\",\"image_url\":{}}]}]}"},
                {"tool message without id", "{\"model\":\"smart\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}"},
                {"tool call without function", "{\"model\":\"smart\",\"messages\":[{\"role\":\"assistant\","
                        + "\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\"}]}]}"},
                {"temperature a string", "{\"model\":\"smart\",\"temperature\":\"hot\",\"messages\":" + user + "}"},
                {"temperature too high", "{\"model\":\"smart\",\"temperature\":9,\"messages\":" + user + "}"},
                {"top_p negative", "{\"model\":\"smart\",\"top_p\":-1,\"messages\":" + user + "}"},
                {"max_tokens negative", "{\"model\":\"smart\",\"max_tokens\":-1,\"messages\":" + user + "}"},
                {"max_tokens fractional", "{\"model\":\"smart\",\"max_tokens\":1.5,\"messages\":" + user + "}"},
                {"max_tokens huge", "{\"model\":\"smart\",\"max_tokens\":99999999999999,\"messages\":" + user + "}"},
                {"n zero", "{\"model\":\"smart\",\"n\":0,\"messages\":" + user + "}"},
                {"stop numbers", "{\"model\":\"smart\",\"stop\":[1],\"messages\":" + user + "}"},
                {"stop an object", "{\"model\":\"smart\",\"stop\":{},\"messages\":" + user + "}"},
                {"seed a string", "{\"model\":\"smart\",\"seed\":\"x\",\"messages\":" + user + "}"},
                {"stream a string", "{\"model\":\"smart\",\"stream\":\"yes\",\"messages\":" + user + "}"},
                {"stream options without stream",
                        "{\"model\":\"smart\",\"stream_options\":{\"include_usage\":true},\"messages\":" + user + "}"},
                {"tools an object", "{\"model\":\"smart\",\"tools\":{},\"messages\":" + user + "}"},
                {"tool without function", "{\"model\":\"smart\",\"tools\":[{\"type\":\"function\"}],\"messages\":"
                        + user + "}"},
                {"tool parameters a string", "{\"model\":\"smart\",\"tools\":[{\"type\":\"function\",\"function\":"
                        + "{\"name\":\"f\",\"parameters\":\"x\"}}],\"messages\":" + user + "}"},
                {"tool choice unknown", "{\"model\":\"smart\",\"tool_choice\":\"sometimes\",\"messages\":" + user + "}"},
                {"response format unknown", "{\"model\":\"smart\",\"response_format\":{\"type\":\"yaml\"},\"messages\":"
                        + user + "}"},
                {"json schema missing", "{\"model\":\"smart\",\"response_format\":{\"type\":\"json_schema\"},"
                        + "\"messages\":" + user + "}"},
                {"metadata values not strings", "{\"model\":\"smart\",\"metadata\":{\"a\":1},\"messages\":" + user + "}"},
                {"duplicate keys", "{\"model\":\"smart\",\"model\":\"other\",\"messages\":" + user + "}"},
                {"trailing garbage", "{\"model\":\"smart\",\"messages\":" + user + "} trailing"},
                {"single quotes", "{'model':'smart'}"},
                {"comments", "{/* c */\"model\":\"smart\",\"messages\":" + user + "}"},
                {"deep nesting", "{\"model\":\"smart\",\"messages\":" + user + ",\"x\":" + "[".repeat(5000)
                        + "]".repeat(5000) + "}"},
                {"unterminated string", "{\"model\":\"sm"},
                {"bare NaN", "{\"model\":\"smart\",\"temperature\":NaN,\"messages\":" + user + "}"},
        };
        for (String[] mutation : chatMutations) {
            cases.add(Arguments.of("chat " + mutation[0], "/v1/chat/completions",
                    mutation[1].getBytes(StandardCharsets.UTF_8)));
        }
        String[][] embeddingMutations = {
                {"input missing", "{\"model\":\"openai/x\"}"},
                {"input empty", "{\"model\":\"openai/x\",\"input\":[]}"},
                {"input a number", "{\"model\":\"openai/x\",\"input\":5}"},
                {"input mixed", "{\"model\":\"openai/x\",\"input\":[\"a\",1]}"},
                {"input nested garbage", "{\"model\":\"openai/x\",\"input\":[[\"a\"]]}"},
                {"encoding unknown", "{\"model\":\"openai/x\",\"input\":\"a\",\"encoding_format\":\"hex\"}"},
                {"dimensions zero", "{\"model\":\"openai/x\",\"input\":\"a\",\"dimensions\":0}"},
        };
        for (String[] mutation : embeddingMutations) {
            cases.add(Arguments.of("embeddings " + mutation[0], "/v1/embeddings",
                    mutation[1].getBytes(StandardCharsets.UTF_8)));
        }
        Random random = new Random(20261125);
        for (int i = 0; i < 60; i++) {
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            cases.add(Arguments.of("random bytes #" + i, i % 2 == 0 ? "/v1/chat/completions" : "/v1/embeddings",
                    garbage));
        }
        for (int i = 0; i < 40; i++) {
            byte[] corrupted = chat.clone();
            corrupted[random.nextInt(corrupted.length)] = (byte) (0x80 + random.nextInt(0x40));
            cases.add(Arguments.of("invalid UTF-8 #" + i, "/v1/chat/completions", corrupted));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void answersWithA4xxOpenAiError(String name, String path, byte[] body) throws Exception {
        int before = upstream.received().size();

        HttpResponse<String> response = veil.send(veil.request(path)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());

        assertThat(response.statusCode()).as(name).isBetween(400, 499);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/json"));
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.veil").doesNotContain("at io.");
        assertThat(upstream.received()).hasSize(before);
    }
}
