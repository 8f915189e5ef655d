package dev.veil.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanonicalModelTest {

    @Test
    void extensionsKeepArrivalOrderAndCannotBeChangedFromOutside() {
        Map<String, RawJson> fields = new LinkedHashMap<>();
        fields.put("zeta", new RawJson("1"));
        fields.put("alpha", new RawJson("{\"a\":true}"));
        Extensions extensions = Extensions.of(fields);
        fields.put("late", new RawJson("2"));

        assertThat(extensions.fields().keySet()).containsExactly("zeta", "alpha");
        assertThatThrownBy(() -> extensions.fields().put("x", RawJson.NULL))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void extensionsCopyOnChange() {
        Extensions original = Extensions.NONE.with("a", new RawJson("1"));
        Extensions changed = original.with("b", new RawJson("2")).without("a");

        assertThat(original.fields()).containsOnlyKeys("a");
        assertThat(changed.fields()).containsOnlyKeys("b");
        assertThat(changed.without("missing")).isSameAs(changed);
    }

    @Test
    void messageTextJoinsTextPartsInOrderAndSkipsImages() {
        ChatMessage message = ChatMessage.text(Role.USER, "ignored").withContent(List.of(
                ContentPart.text("one "),
                new ContentPart.Image("https://example.com/a.png", Optional.empty(), Extensions.NONE),
                ContentPart.text("two")));

        assertThat(message.text()).isEqualTo("one two");
    }

    @Test
    void outputTokenLimitPrefersMaxCompletionTokens() {
        SamplingParameters both = new SamplingParameters(java.util.OptionalDouble.empty(),
                java.util.OptionalDouble.empty(), OptionalInt.of(100), OptionalInt.of(50), OptionalInt.empty(),
                java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty());

        assertThat(both.outputTokenLimit()).hasValue(50);
        assertThat(SamplingParameters.DEFAULTS.outputTokenLimit()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"stop,STOP", "length,LENGTH", "tool_calls,TOOL_CALLS", "content_filter,CONTENT_FILTER",
            "function_call,FUNCTION_CALL", "eos,STOP", "end_turn,STOP"})
    void mapsFinishReasonsFromTheWire(String wire, FinishReason expected) {
        assertThat(FinishReason.fromWireName(wire)).isEqualTo(expected);
    }

    @Test
    void requestsAreImmutableCopies() {
        List<ChatMessage> messages = new java.util.ArrayList<>(List.of(ChatMessage.text(Role.USER, "hi")));
        ChatRequest request = ChatRequest.of("m", messages);
        messages.add(ChatMessage.text(Role.USER, "later"));

        assertThat(request.messages()).hasSize(1);
        assertThat(request.withModel("other").model()).isEqualTo("other");
        assertThat(request.model()).isEqualTo("m");
    }

    @Test
    void clientErrorsKeepTheirStatusAndAreMappedToAKind() {
        VeilException rejected = VeilException.clientError(422, "invalid_request_error", "bad", "c", "p");

        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(rejected.code()).hasValue("c");
        assertThat(rejected.param()).hasValue("p");
        assertThat(VeilException.clientError(429, null, "slow down", null, null).kind())
                .isEqualTo(ErrorKind.RATE_LIMITED);
    }

    @Test
    void retryAfterIsCarriedOnlyWhenSet() {
        VeilException limited = new VeilException(ErrorKind.RATE_LIMITED, "later");

        assertThat(limited.retryAfterSeconds()).isEmpty();
        assertThat(limited.withRetryAfter(3).retryAfterSeconds()).hasValue(3);
        assertThat(limited.withRetryAfter(3).getMessage()).isEqualTo("later");
    }
}
