package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

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

    private static ChatRequest with(ChatRequest request, boolean stream, Optional<String> user,
                                    Map<String, String> metadata) {
        return new ChatRequest(request.model(), request.messages(), request.tools(), request.toolChoice(),
                request.parallelToolCalls(), request.responseFormat(), request.sampling(), request.stop(),
                request.seed(), request.reasoningEffort(), stream,
                stream ? Optional.of(new StreamOptions(true, Extensions.NONE)) : Optional.empty(), user, metadata,
                request.extensions());
    }

    private static ChatRequest withTools(String parametersJson) {
        return new ChatRequest(BASE.model(), BASE.messages(), List.of(ToolDefinition.function("weather", "Weather",
                new RawJson(parametersJson))), Optional.empty(), Optional.empty(), Optional.empty(),
                SamplingParameters.DEFAULTS, List.of(), OptionalLong.empty(), Optional.empty(), false,
                Optional.empty(), Optional.empty(), Map.of(), Extensions.NONE);
    }

    @Test
    void isTheSameForTheSameRequest() {
        assertThat(RequestDigest.of(BASE)).isEqualTo(RequestDigest.of(ChatRequest.of("smart", List.of(
                ChatMessage.text(Role.SYSTEM, "Be brief."), ChatMessage.text(Role.USER, "Mail <EMAIL_1> about it.")))))
                .hasSize(64);
    }

    @Test
    void ignoresKeyOrderAndWhitespaceInVerbatimJson() {
        ChatRequest one = BASE.withExtensions(Extensions.of(Map.of("logit_bias",
                new RawJson("{\"50256\": -100, \"11\": 5}"))));
        ChatRequest other = BASE.withExtensions(Extensions.of(Map.of("logit_bias",
                new RawJson("{\n  \"11\":5,\"50256\":-100\n}"))));

        assertThat(RequestDigest.of(one)).isEqualTo(RequestDigest.of(other));
    }

    @Test
    void ignoresTheOrderUnknownFieldsArrivedIn() {
        LinkedHashMap<String, RawJson> first = new LinkedHashMap<>();
        first.put("top_k", new RawJson("40"));
        first.put("service_tier", new RawJson("\"flex\""));
        LinkedHashMap<String, RawJson> second = new LinkedHashMap<>();
        second.put("service_tier", new RawJson("\"flex\""));
        second.put("top_k", new RawJson("40"));

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
        ChatRequest streamed = with(BASE, true, Optional.of("user-42"), Map.of("use_case", "support"));
        ChatRequest extended = streamed.withExtensions(Extensions.of(Map.of("stream", new RawJson("true"),
                "metadata", new RawJson("{\"a\":1}"), "user", new RawJson("\"x\""))));

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
        ChatRequest warmer = BASE.withSampling(new SamplingParameters(OptionalDouble.of(0.9), OptionalDouble.empty(),
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalDouble.empty(),
                OptionalDouble.empty()));

        assertThat(RequestDigest.of(BASE)).isNotEqualTo(RequestDigest.of(warmer));
    }

    @Test
    void changesWithImagesAndToolTurns() {
        ChatMessage image = new ChatMessage(Role.USER, List.of(ContentPart.text("What is this?"),
                new ContentPart.Image("https://example.org/a.png", Optional.empty(), Extensions.NONE)),
                Optional.empty(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Extensions.NONE);
        ChatMessage otherImage = image.withContent(List.of(ContentPart.text("What is this?"),
                new ContentPart.Image("https://example.org/b.png", Optional.empty(), Extensions.NONE)));
        ChatMessage call = ChatMessage.text(Role.ASSISTANT, "").withToolCalls(List.of(
                new ToolCall("call_1", "weather", "{\"city\":\"Oslo\"}")));
        ChatMessage otherCall = ChatMessage.text(Role.ASSISTANT, "").withToolCalls(List.of(
                new ToolCall("call_1", "weather", "{\"city\":\"Rome\"}")));

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
