package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.PiiFindings;
import dev.veil.spi.plugin.RedactionObligations;
import dev.veil.spi.plugin.StreamSink;
import dev.veil.spi.plugin.StreamTransformer;
import dev.veil.spi.testing.TestExchange;

class PiiRedactionPluginTest {
    private static final KeyedHasher HASHER = new KeyedHasher("0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    private final TestExchange exchange = new TestExchange();

    @Test
    void pseudonymizesEveryMessageAndToolCall() {
        ChatRequest request = request(
                ChatMessage.text(Role.SYSTEM, "Owner: Alice Smith"),
                ChatMessage.text(Role.USER, "Mail ann@example.com"),
                ChatMessage.text(Role.ASSISTANT, "").withToolCalls(List.of(ToolCall.of("c1", "send",
                        "{\"to\":\"ann@example.com\"}"))),
                ChatMessage.text(Role.TOOL, "sent to ann@example.com"));
        ChatRequest sent = plugin(Map.of(), false).onRequest(request, exchange);
        assertThat(sent.messages()).extracting(ChatMessage::text)
                .containsExactly("Owner: <PERSON_1>", "Mail <EMAIL_1>", "", "sent to <EMAIL_1>");
        assertThat(sent.messages().get(2).toolCalls().get(0).arguments()).isEqualTo("{\"to\":\"<EMAIL_1>\"}");
    }

    @Test
    void recordsFindingCountsForPolicyAndAudit() {
        plugin(Map.of(), false).onRequest(request(ChatMessage.text(Role.USER,
                "ann@example.com, bob@example.com, Bob Jones")), exchange);
        assertThat(exchange.get(Attributes.PII_FINDINGS)).contains(PiiFindings.of(Map.of("EMAIL", 2, "PERSON", 1)));
    }

    @Test
    void leavesARequestWithoutFindingsAsItIs() {
        ChatRequest request = request(ChatMessage.text(Role.USER, "hello"));
        PiiRedactionPlugin plugin = plugin(Map.of(), false);
        assertThat(plugin.onRequest(request, exchange)).isSameAs(request);
        assertThat(plugin.onDecision(request, exchange)).isSameAs(request);
        assertThat(exchange.get(Attributes.PII_FINDINGS)).isEmpty();
    }

    @Test
    void restoresPlaceholdersInTheAnswer() {
        PiiRedactionPlugin plugin = plugin(Map.of(), false);
        ChatRequest sent = plugin.onDecision(plugin.onRequest(request(ChatMessage.text(Role.USER,
                "Greet Alice Smith")), exchange), exchange);
        assertThat(sent.messages().get(0).text()).isEqualTo("Greet <PERSON_1>");
        ChatResponse answer = plugin.onResponse(answer("Hello <PERSON_1>!"), exchange);
        assertThat(answer.choices().get(0).message().text()).isEqualTo("Hello Alice Smith!");
    }

    @Test
    void masksTypesConfiguredToMaskAndDoesNotRestoreThem() {
        PiiRedactionPlugin plugin = plugin(Map.of("EMAIL", RedactionMode.MASK), false);
        ChatRequest sent = plugin.onDecision(plugin.onRequest(request(ChatMessage.text(Role.USER,
                "Mail ann@example.com")), exchange), exchange);
        assertThat(sent.messages().get(0).text()).isEqualTo("Mail ***@*******.***");
        assertThat(plugin.onResponse(answer("<EMAIL_1>"), exchange).choices().get(0).message().text())
                .isEqualTo("<EMAIL_1>");
    }

    @Test
    void hashesWithTheKeySoTheSameValueHashesAlike() {
        PiiRedactionPlugin plugin = plugin(Map.of("EMAIL", RedactionMode.HASH), false);
        ChatRequest sent = plugin.onDecision(plugin.onRequest(request(ChatMessage.text(Role.USER,
                "ann@example.com")), exchange), exchange);
        assertThat(sent.messages().get(0).text()).isEqualTo("<EMAIL:" + HASHER.hash("EMAIL", "ann@example.com")
                + ">").doesNotContain("ann");
    }

    @Test
    void blocksTypesConfiguredToBlockNamingTypesNotValues() {
        PiiRedactionPlugin plugin = plugin(Map.of("PERSON", RedactionMode.BLOCK), false);
        ChatRequest redacted = plugin.onRequest(request(ChatMessage.text(Role.USER, "Alice Smith")), exchange);
        assertThatThrownBy(() -> plugin.onDecision(redacted, exchange))
                .isInstanceOfSatisfying(VeilException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("PERSON").doesNotContain("Alice");
                });
    }

    @Test
    void theDecisionOverridesTheConfiguredMode() {
        PiiRedactionPlugin plugin = plugin(Map.of("PERSON", RedactionMode.BLOCK), false);
        ChatRequest redacted = plugin.onRequest(request(ChatMessage.text(Role.USER, "Alice Smith")), exchange);
        exchange.put(Attributes.POLICY_REDACT, RedactionObligations.of(Map.of("PERSON", "mask")));
        assertThat(plugin.onDecision(redacted, exchange).messages().get(0).text()).isEqualTo("***** *****");
    }

    @Test
    void aDecisionCanBlockWhatConfigLetsThrough() {
        PiiRedactionPlugin plugin = plugin(Map.of(), false);
        ChatRequest redacted = plugin.onRequest(request(ChatMessage.text(Role.USER, "ann@example.com")), exchange);
        exchange.put(Attributes.POLICY_REDACT, RedactionObligations.of(Map.of("EMAIL", "block")));
        assertThatThrownBy(() -> plugin.onDecision(redacted, exchange)).isInstanceOf(VeilException.class)
                .hasMessageContaining("EMAIL");
    }

    @Test
    void anUnknownModeInTheDecisionFailsClosed() {
        PiiRedactionPlugin plugin = plugin(Map.of(), false);
        ChatRequest redacted = plugin.onRequest(request(ChatMessage.text(Role.USER, "ann@example.com")), exchange);
        exchange.put(Attributes.POLICY_REDACT, RedactionObligations.of(Map.of("EMAIL", "scramble")));
        assertThatThrownBy(() -> plugin.onDecision(redacted, exchange))
                .isInstanceOfSatisfying(VeilException.class, e -> assertThat(e.status()).isEqualTo(500))
                .hasMessageContaining("scramble");
    }

    @Test
    void scanOutputRedactsNewPersonalDataButRestoresTheClientsOwn() {
        PiiRedactionPlugin plugin = plugin(Map.of(), true);
        plugin.onDecision(plugin.onRequest(request(ChatMessage.text(Role.USER, "ann@example.com")), exchange),
                exchange);
        ChatResponse answer = plugin.onResponse(answer("<EMAIL_1> knows zed@example.org"), exchange);
        assertThat(answer.choices().get(0).message().text()).isEqualTo("ann@example.com knows <EMAIL>");
        assertThat(exchange.get(PiiRedactionPlugin.OUTPUT_FINDINGS)).contains(PiiFindings.of(Map.of("EMAIL", 1)));
    }

    @Test
    void scanOutputRedactsNewPersonalDataInAStreamSplitAcrossEvents() {
        PiiRedactionPlugin plugin = plugin(Map.of(), true);
        ChatRequest sent = plugin.onDecision(plugin.onRequest(request(ChatMessage.text(Role.USER,
                "ann@example.com")), exchange), exchange);
        StreamTransformer transformer = plugin.openStream(sent, exchange);
        List<String> out = new ArrayList<>();
        StreamSink sink = event -> out.add(event.choices().get(0).delta().content().orElse(""));
        for (String piece : List.of("Ask <EMAIL_1> or zed@exa", "mple.org. Then wait", ".")) {
            transformer.onEvent(chunk(piece), sink);
        }
        transformer.onComplete(sink);
        assertThat(String.join("", out)).isEqualTo("Ask ann@example.com or <EMAIL>. Then wait.");
        assertThat(exchange.get(PiiRedactionPlugin.OUTPUT_FINDINGS)).contains(PiiFindings.of(Map.of("EMAIL", 1)));
    }

    private static ChatChunk chunk(String text) {
        return ChatChunk.builder("c1", 1, "m").choices(List.of(ChunkChoice.of(0, Delta.content(text)))).build();
    }

    private static PiiRedactionPlugin plugin(Map<String, RedactionMode> modes, boolean scanOutput) {
        return new PiiRedactionPlugin(new PiiScanner(List.of(RegexDetector.EMAIL, RegexDetector.PERSON)),
                Set.of("EMAIL", "PERSON"), new RedactionModes(modes, RedactionMode.PSEUDONYMIZE), HASHER, scanOutput,
                new FindingsLimit(FindingsLimit.DEFAULT, "veil.plugins[0].max-findings"));
    }

    private static ChatRequest request(ChatMessage... messages) {
        return ChatRequest.of("m", List.of(messages));
    }

    private static ChatResponse answer(String text) {
        return ChatResponse.builder("r1", 1, "m")
                .choices(List.of(Choice.of(0, ChatMessage.text(Role.ASSISTANT, text), FinishReason.STOP))).build();
    }
}
