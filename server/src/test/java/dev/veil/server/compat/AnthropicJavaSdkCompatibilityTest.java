package dev.veil.server.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import dev.veil.server.testing.FakeAnthropicUpstream;
import dev.veil.server.testing.FakeAnthropicUpstream.Block;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drives Veil's {@code /v1/messages} with the official Anthropic Java SDK ({@code com.anthropic:anthropic-java})
 * against an OpenAI upstream ({@code gpt-4o}) and an Anthropic upstream ({@code claude-test}): whatever the SDK
 * cannot parse or accumulate is a Veil wire-format bug.
 */
class AnthropicJavaSdkCompatibilityTest {
    private static final List<String> ARGUMENTS = List.of("{\"city\":", "\"Oslo\"}");

    private FakeOpenAiUpstream openai;
    private FakeAnthropicUpstream anthropic;
    private VeilUnderTest veil;
    private AnthropicClient client;

    @BeforeEach
    void start() throws Exception {
        openai = new FakeOpenAiUpstream();
        anthropic = new FakeAnthropicUpstream();
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
        client = client(VeilUnderTest.MASTER_KEY);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        veil.close();
        openai.close();
        anthropic.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-4o", "claude-test"})
    void createsAMessageWithTextStopReasonAndUsage(String model) {
        Message message = client.messages().create(params(model, "Hello from the Java SDK").build());

        assertThat(message.content()).singleElement()
                .satisfies(block -> assertThat(block.asText().text()).isEqualTo("Hello from the Java SDK"));
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().inputTokens()).isPositive();
        assertThat(message.usage().outputTokens()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-4o", "claude-test"})
    void streamsEventsThatTheSdkAccumulatesIntoTheMessage(String model) {
        if (model.startsWith("gpt")) {
            openai.on(model, FakeOpenAiUpstream.answer(List.of("The ", "quick ", "fox"), Duration.ZERO));
        } else {
            anthropic.on(model, FakeAnthropicUpstream.answer(List.of(Block.text("The ", "quick ", "fox")),
                    "end_turn"));
        }

        Message message = stream(params(model, "anything").build());

        assertThat(message.content()).singleElement()
                .satisfies(block -> assertThat(block.asText().text()).isEqualTo("The quick fox"));
        assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
        assertThat(message.usage().outputTokens()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-4o", "claude-test"})
    void returnsToolUseStreamedAndNot(String model) {
        if (model.startsWith("gpt")) {
            openai.on(model, FakeOpenAiUpstream.toolCall("toolu_java", "get_weather", ARGUMENTS));
        } else {
            anthropic.on(model, FakeAnthropicUpstream.answer(List.of(
                    Block.toolUse("toolu_java", "get_weather", ARGUMENTS.toArray(String[]::new))), "tool_use"));
        }
        MessageCreateParams params = params(model, "weather in Oslo?").addTool(weatherTool()).build();

        for (Message message : List.of(client.messages().create(params), stream(params))) {
            assertThat(message.stopReason()).hasValue(StopReason.TOOL_USE);
            ToolUseBlock use = message.content().stream().filter(ContentBlock::isToolUse)
                    .map(ContentBlock::asToolUse).findFirst().orElseThrow();
            assertThat(use.id()).isEqualTo("toolu_java");
            assertThat(use.name()).isEqualTo("get_weather");
            assertThat(use._input().convert(Map.class)).isEqualTo(Map.of("city", "Oslo"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-key"})
    void raisesTheSdksExceptionsForAnthropicShapedErrors(String wrongKey) {
        anthropic.on("claude-limited", FakeAnthropicUpstream.error(429, "rate_limit_error", "slow down"));
        AnthropicClient wrong = client(wrongKey);
        Throwable unauthorized;
        try {
            unauthorized = catchThrowable(() -> wrong.messages().create(params("gpt-4o", "hi").build()));
        } finally {
            wrong.close();
        }
        Throwable notFound = catchThrowable(() -> client.messages().create(params("no-such-model", "hi").build()));
        Throwable limited = catchThrowable(() -> client.messages().create(params("claude-limited", "hi").build()));

        assertThat(unauthorized).isInstanceOfSatisfying(UnauthorizedException.class,
                e -> assertThat(e.statusCode()).isEqualTo(401));
        assertThat(notFound).isInstanceOf(NotFoundException.class);
        assertThat(limited).isInstanceOfSatisfying(RateLimitException.class,
                e -> assertThat(e.headers().values("retry-after")).containsExactly("9"));
    }

    private AnthropicClient client(String apiKey) {
        return AnthropicOkHttpClient.builder()
                .baseUrl(veil.baseUrl())
                .apiKey(apiKey)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private static MessageCreateParams.Builder params(String model, String userMessage) {
        return MessageCreateParams.builder().model(model).maxTokens(256).addUserMessage(userMessage);
    }

    private Message stream(MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> events = client.messages().createStreaming(params)) {
            events.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message();
    }

    private static Tool weatherTool() {
        return Tool.builder()
                .name("get_weather")
                .description("Current weather in a city")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(Tool.InputSchema.Properties.builder()
                                .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build())
                        .addRequired("city")
                        .build())
                .build();
    }
}
