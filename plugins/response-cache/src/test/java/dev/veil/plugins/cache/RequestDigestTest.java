package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.SamplingParameters;
import dev.veil.spi.StreamOptions;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolDefinition;

class RequestDigestTest {
    private static final ChatRequest BASE = ChatRequest.of("smart", List.of(
            ChatMessage.text(Role.SYSTEM, "Be brief."), ChatMessage.text(Role.USER, "Mail <EMAIL_1> about it.")));

    private static ChatRequest streamedFor(ChatRequest request, String user, Map<String, String> metadata) {
        return request.toBuilder().stream(true).streamOptions(StreamOptions.of(true)).user(user).metadata(metadata)
                .build();
    }

    private static ChatRequest withTools(String parametersJson) {
        return ChatRequest.builder(BASE.model(), BASE.messages()).tools(List.of(ToolDefinition.function("weather",
                "Weather", RawJson.of(parametersJson)))).build();
    }

    @Test
    void isTheSameForTheSameRequest() {
        assertThat(RequestDigest.of(BASE)).isEqualTo(RequestDigest.of(ChatRequest.of("smart", List.of(
                ChatMessage.text(Role.SYSTEM, "Be brief."), ChatMessage.text(Role.USER, "Mail <EMAIL_1> about it.")))))
                .hasValueSatisfying(digest -> assertThat(digest).hasSize(64));
    }

    @Test
    void ignoresKeyOrderAndWhitespaceInVerbatimJson() {
        ChatRequest one = BASE.withExtensions(Extensions.of(Map.of("logit_bias",
                RawJson.of("{\"50256\": -100, \"11\": 5}"))));
        ChatRequest other = BASE.withExtensions(Extensions.of(Map.of("logit_bias",
                RawJson.of("{\n  \"11\":5,\"50256\":-100\n}"))));

        assertThat(RequestDigest.of(one)).isEqualTo(RequestDigest.of(other));
    }

    @Test
    void ignoresTheOrderUnknownFieldsArrivedIn() {
        LinkedHashMap<String, RawJson> first = new LinkedHashMap<>();
        first.put("top_k", RawJson.of("40"));
        first.put("service_tier", RawJson.of("\"flex\""));
        LinkedHashMap<String, RawJson> second = new LinkedHashMap<>();
        second.put("service_tier", RawJson.of("\"flex\""));
        second.put("top_k", RawJson.of("40"));

        assertThat(RequestDigest.of(BASE.withExtensions(Extensions.of(first))))
                .isEqualTo(RequestDigest.of(BASE.withExtensions(Extensions.of(second))));
    }

    @Test
    void ignoresKeyOrderAndWhitespaceInToolSchemas() {
        assertThat(RequestDigest.of(withTools("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")))
                .isEqualTo(RequestDigest.of(withTools(
                        "{ \"properties\": { \"city\": { \"type\": \"string\" } }, \"type\": \"object\" }")));
    }

    @Test
    void ignoresStreamingUserAndMetadata() {
        ChatRequest streamed = streamedFor(BASE, "user-42", Map.of("use_case", "support"));
        ChatRequest extended = streamed.withExtensions(Extensions.of(Map.of("stream", RawJson.of("true"),
                "metadata", RawJson.of("{\"a\":1}"), "user", RawJson.of("\"x\""))));

        assertThat(RequestDigest.of(streamed)).isEqualTo(RequestDigest.of(BASE));
        assertThat(RequestDigest.of(extended)).isEqualTo(RequestDigest.of(BASE));
    }

    @Test
    void changesWithTheText() {
        assertThat(RequestDigest.of(BASE)).isNotEqualTo(RequestDigest.of(BASE.withMessages(List.of(
                ChatMessage.text(Role.SYSTEM, "Be brief."), ChatMessage.text(Role.USER, "Mail <EMAIL_2> about it.")))));
    }

    @Test
    void changesWithTheRole() {
        assertThat(RequestDigest.of(BASE)).isNotEqualTo(RequestDigest.of(BASE.withMessages(List.of(
                ChatMessage.text(Role.DEVELOPER, "Be brief."),
                ChatMessage.text(Role.USER, "Mail <EMAIL_1> about it.")))));
    }

    @Test
    void changesWithTheModel() {
        assertThat(RequestDigest.of(BASE)).isNotEqualTo(RequestDigest.of(BASE.withModel("fast")));
    }

    @Test
    void changesWithSampling() {
        ChatRequest warmer = BASE.withSampling(SamplingParameters.builder().temperature(0.9).build());

        assertThat(RequestDigest.of(BASE)).isNotEqualTo(RequestDigest.of(warmer));
    }

    @Test
    void changesWithImagesAndToolTurns() {
        ChatMessage image = ChatMessage.builder(Role.USER).content(List.of(ContentPart.text("What is this?"),
                ContentPart.image("https://example.org/a.png"))).build();
        ChatMessage otherImage = image.withContent(List.of(ContentPart.text("What is this?"),
                ContentPart.image("https://example.org/b.png")));
        ChatMessage call = ChatMessage.text(Role.ASSISTANT, "").withToolCalls(List.of(
                ToolCall.of("call_1", "weather", "{\"city\":\"Oslo\"}")));
        ChatMessage otherCall = ChatMessage.text(Role.ASSISTANT, "").withToolCalls(List.of(
                ToolCall.of("call_1", "weather", "{\"city\":\"Rome\"}")));

        assertThat(RequestDigest.of(BASE.withMessages(List.of(image))))
                .isNotEqualTo(RequestDigest.of(BASE.withMessages(List.of(otherImage))));
        assertThat(RequestDigest.of(BASE.withMessages(List.of(call))))
                .isNotEqualTo(RequestDigest.of(BASE.withMessages(List.of(otherCall))));
    }

    @Test
    void keepsTextThatLooksLikeStructureApart() {
        ChatRequest two = BASE.withMessages(List.of(ChatMessage.text(Role.USER, "a"),
                ChatMessage.text(Role.USER, "b")));
        ChatRequest one = BASE.withMessages(List.of(ChatMessage.text(Role.USER,
                "a\"}],\"tool_calls\":[]},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"b")));

        assertThat(RequestDigest.of(one)).isNotEqualTo(RequestDigest.of(two));
    }
}
