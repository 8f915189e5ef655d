package dev.veil.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** The factories and builders plugins use instead of canonical constructors build the same values. */
class FactoriesTest {
    private static final Extensions UNKNOWN = Extensions.NONE.with("x_vendor", RawJson.of("1"));

    @Test
    void aRequestBuilderSetsEveryField() {
        ChatMessage user = ChatMessage.text(Role.USER, "hi");
        SamplingParameters sampling = SamplingParameters.builder().temperature(0.5).maxTokens(10).build();
        ToolDefinition tool = ToolDefinition.function("weather", "Weather", RawJson.of("{}"));

        ChatRequest built = ChatRequest.builder("gpt-4o", List.of(user)).tools(List.of(tool))
                .toolChoice(ToolChoice.mode("auto")).parallelToolCalls(true).responseFormat(ResponseFormat.jsonObject())
                .sampling(sampling).stop(List.of("END")).seed(7).reasoningEffort("low").stream(true)
                .streamOptions(StreamOptions.of(true)).user("u1").metadata(Map.of("k", "v")).extensions(UNKNOWN)
                .build();

        assertThat(built).isEqualTo(new ChatRequest("gpt-4o", List.of(user), List.of(tool),
                Optional.of(new ToolChoice.Mode("auto")), Optional.of(true),
                Optional.of(new ResponseFormat.JsonObject()), sampling, List.of("END"), OptionalLong.of(7), Optional.of("low"), true,
                Optional.of(new StreamOptions(true, Extensions.NONE)), Optional.of("u1"), Map.of("k", "v"), UNKNOWN));
        assertThat(built.toBuilder().build()).isEqualTo(built);
    }

    @Test
    void aMinimalRequestHasEveryDefault() {
        ChatRequest request = ChatRequest.of("m", List.of());

        assertThat(request).isEqualTo(new ChatRequest("m", List.of(), List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), SamplingParameters.DEFAULTS, List.of(), OptionalLong.empty(), Optional.empty(), false,
                Optional.empty(), Optional.empty(), Map.of(), Extensions.NONE));
    }

    @Test
    void aMessageBuilderSetsEveryField() {
        ChatMessage built = ChatMessage.builder(Role.ASSISTANT).content(List.of(ContentPart.text("a")))
                .name("bot").toolCalls(List.of(ToolCall.of("c1", "f", "{}"))).toolCallId("c0")
                .reasoningContent("thinking").refusal("no").extensions(UNKNOWN).build();

        assertThat(built).isEqualTo(new ChatMessage(Role.ASSISTANT, List.of(new ContentPart.Text("a", Extensions.NONE)),
                Optional.of("bot"), List.of(new ToolCall("c1", "f", "{}")), Optional.of("c0"), Optional.of("thinking"),
                Optional.of("no"), UNKNOWN));
        assertThat(built.toBuilder().build()).isEqualTo(built);
    }

    @Test
    void aResponseBuilderSetsEveryField() {
        Choice choice = Choice.of(0, ChatMessage.text(Role.ASSISTANT, "Oslo."), FinishReason.STOP);

        ChatResponse built = ChatResponse.builder("id", 5, "m").choices(List.of(choice)).usage(Usage.of(3, 4))
                .systemFingerprint("fp").extensions(UNKNOWN).build();

        assertThat(built).isEqualTo(new ChatResponse("id", 5, "m", List.of(new Choice(0,
                ChatMessage.text(Role.ASSISTANT, "Oslo."), Optional.of(FinishReason.STOP), Extensions.NONE)),
                Optional.of(Usage.of(3, 4)), Optional.of("fp"), UNKNOWN));
        assertThat(built.toBuilder().build()).isEqualTo(built);
    }

    @Test
    void aChunkBuilderSetsEveryField() {
        ChunkChoice choice = ChunkChoice.of(0, Delta.content("O"));

        ChatChunk built = ChatChunk.builder("id", 5, "m").choices(List.of(choice)).usage(Usage.of(1, 2))
                .systemFingerprint("fp").extensions(UNKNOWN).build();

        assertThat(built).isEqualTo(new ChatChunk("id", 5, "m", List.of(new ChunkChoice(0, Delta.content("O"),
                Optional.empty(), Extensions.NONE)), Optional.of(Usage.of(1, 2)), Optional.of("fp"), UNKNOWN));
        assertThat(built.toBuilder().build()).isEqualTo(built);
    }

    @Test
    void aDeltaBuilderSetsEveryField() {
        ToolCallDelta call = ToolCallDelta.start(0, "c1", "f");

        Delta built = Delta.builder().role(Role.ASSISTANT).content("a").reasoningContent("r").refusal("no")
                .toolCalls(List.of(call)).extensions(UNKNOWN).build();

        assertThat(built).isEqualTo(new Delta(Optional.of(Role.ASSISTANT), Optional.of("a"), Optional.of("r"),
                Optional.of("no"), List.of(new ToolCallDelta(0, Optional.of("c1"), Optional.of("f"), Optional.empty())),
                UNKNOWN));
        assertThat(built.toBuilder().build()).isEqualTo(built);
        assertThat(Delta.builder().build()).isEqualTo(Delta.EMPTY);
    }

    @Test
    void deltaCopiesChangeOneFieldEach() {
        Delta delta = Delta.builder().role(Role.ASSISTANT).content("a").build();

        assertThat(delta.withReasoningContent("r").reasoningContent()).contains("r");
        assertThat(delta.withRefusal("no").refusal()).contains("no");
        assertThat(delta.withToolCalls(List.of(ToolCallDelta.continuation(0, "{"))).toolCalls())
                .containsExactly(new ToolCallDelta(0, Optional.empty(), Optional.empty(), Optional.of("{")));
        assertThat(delta.withRefusal("no").withContent("b").role()).contains(Role.ASSISTANT);
    }

    @Test
    void usageBuilderTotalsInputAndOutputUnlessToldOtherwise() {
        Usage plain = Usage.builder(10, 5).cachedPromptTokens(4).reasoningTokens(2).build();
        Usage reported = Usage.builder(10, 5).totalTokens(16).build();

        assertThat(plain).isEqualTo(new Usage(10, 5, 15, 4, 0, 2, Extensions.NONE));
        assertThat(reported.totalTokens()).isEqualTo(16);
        assertThat(plain.toBuilder().build()).isEqualTo(plain);
    }

    @Test
    void samplingBuilderSetsEveryField() {
        SamplingParameters built = SamplingParameters.builder().temperature(0.1).topP(0.2).maxTokens(3)
                .maxCompletionTokens(4).n(5).presencePenalty(0.6).frequencyPenalty(0.7).build();

        assertThat(built).isEqualTo(new SamplingParameters(OptionalDouble.of(0.1), OptionalDouble.of(0.2),
                OptionalInt.of(3), OptionalInt.of(4), OptionalInt.of(5), OptionalDouble.of(0.6),
                OptionalDouble.of(0.7)));
        assertThat(SamplingParameters.builder().build()).isEqualTo(SamplingParameters.DEFAULTS);
        assertThat(built.toBuilder().build()).isEqualTo(built);
    }

    @Test
    void anEmbeddingsRequestBuilderSetsEveryField() {
        EmbeddingsRequest built = EmbeddingsRequest.builder("e", EmbeddingInput.text("hi")).encodingFormat("float")
                .dimensions(8).user("u").extensions(UNKNOWN).build();

        assertThat(built).isEqualTo(new EmbeddingsRequest("e", new EmbeddingInput.Texts(List.of("hi"), true),
                Optional.of("float"), OptionalInt.of(8), Optional.of("u"), UNKNOWN));
        assertThat(built.toBuilder().build()).isEqualTo(built);
        assertThat(built.withInput(EmbeddingInput.texts(List.of("a", "b"))).input().size()).isEqualTo(2);
    }

    @Test
    void changedTextsAreSentTheWayTheClientSentThem() {
        EmbeddingInput.Texts single = EmbeddingInput.text("secret");

        assertThat(single.withTexts(List.of("<SECRET_1>"))).isEqualTo(EmbeddingInput.text("<SECRET_1>"));
    }

    @Test
    void partCopiesKeepTheirUnknownFields() {
        ContentPart.Text text = new ContentPart.Text("a", UNKNOWN);
        ContentPart.Image image = ContentPart.image("https://example.org/a.png").withDetail("low");

        assertThat(text.withText("b")).isEqualTo(new ContentPart.Text("b", UNKNOWN));
        assertThat(image).isEqualTo(new ContentPart.Image("https://example.org/a.png", Optional.of("low"),
                Extensions.NONE));
    }

    @Test
    void choiceCopiesChangeOneFieldEach() {
        Choice choice = Choice.of(1, ChatMessage.text(Role.ASSISTANT, "a")).withExtensions(UNKNOWN);

        assertThat(choice.withFinishReason(FinishReason.LENGTH)).isEqualTo(new Choice(1,
                ChatMessage.text(Role.ASSISTANT, "a"), Optional.of(FinishReason.LENGTH), UNKNOWN));
        assertThat(choice.withMessage(ChatMessage.text(Role.ASSISTANT, "b")).extensions()).isEqualTo(UNKNOWN);
        assertThat(ChunkChoice.of(1, Delta.EMPTY).withFinishReason(FinishReason.STOP))
                .isEqualTo(ChunkChoice.of(1, Delta.EMPTY, FinishReason.STOP));
    }
}
