package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Pseudonyms;
import dev.veil.spi.plugin.StreamSink;
import dev.veil.spi.plugin.StreamTransformer;
import dev.veil.spi.testing.TestExchange;

/**
 * Turns of a conversation Veil keeps: the host replays the earlier turns to the provider and hands the plugin the
 * conversation's pseudonyms on each, so a placeholder stands for the same value in every turn.
 */
class ConversationPseudonymsTest {
    private static final String TURN_1 = "Write to Alice Smith at ann@example.com";

    private final PiiRedactionPlugin plugin = plugin(Map.of());

    /** What the host does per turn: hands over what the previous turn left, or NONE on the first. */
    private static final class Host {
        Pseudonyms stored = Pseudonyms.NONE;

        TestExchange nextTurn() {
            TestExchange exchange = new TestExchange();
            exchange.put(Attributes.CONVERSATION_PSEUDONYMS, stored);
            return exchange;
        }

        void keep(TestExchange exchange) {
            stored = exchange.get(Attributes.CONVERSATION_PSEUDONYMS).orElseThrow();
        }
    }

    @Test
    void aValueKeepsItsPlaceholderInEveryTurnWhereverItStands() {
        Host host = new Host();

        TestExchange first = host.nextTurn();
        ChatRequest sent1 = send(first, ChatMessage.text(Role.USER, TURN_1));
        String answer1 = plugin.onResponse(answer("Dear <PERSON_1>, noted <EMAIL_1>."), first).choices().get(0)
                .message().text();
        host.keep(first);

        TestExchange second = host.nextTurn();
        ChatRequest sent2 = send(second,
                ChatMessage.text(Role.SYSTEM, "Escalations go to Bob Jones"),
                ChatMessage.text(Role.USER, TURN_1),
                ChatMessage.text(Role.ASSISTANT, answer1),
                ChatMessage.text(Role.USER, "Copy bob@example.com"));
        host.keep(second);

        TestExchange third = host.nextTurn();
        ChatRequest sent3 = send(third,
                ChatMessage.text(Role.SYSTEM, "Escalations go to Bob Jones; audits to audit@example.com"),
                ChatMessage.text(Role.USER, TURN_1),
                ChatMessage.text(Role.ASSISTANT, answer1),
                ChatMessage.text(Role.USER, "Copy bob@example.com"),
                ChatMessage.text(Role.USER, "And tell Alice Smith"));

        assertThat(sent1.messages()).extracting(ChatMessage::text)
                .containsExactly("Write to <PERSON_1> at <EMAIL_1>");
        assertThat(answer1).isEqualTo("Dear Alice Smith, noted ann@example.com.");
        assertThat(sent2.messages()).extracting(ChatMessage::text).containsExactly(
                "Escalations go to <PERSON_2>",
                "Write to <PERSON_1> at <EMAIL_1>",
                "Dear <PERSON_1>, noted <EMAIL_1>.",
                "Copy <EMAIL_2>");
        assertThat(sent3.messages()).extracting(ChatMessage::text).containsExactly(
                "Escalations go to <PERSON_2>; audits to <EMAIL_3>",
                "Write to <PERSON_1> at <EMAIL_1>",
                "Dear <PERSON_1>, noted <EMAIL_1>.",
                "Copy <EMAIL_2>",
                "And tell <PERSON_1>");
        assertThat(third.get(Attributes.CONVERSATION_PSEUDONYMS).orElseThrow().originals()).containsExactly(
                Map.entry("<EMAIL_1>", "ann@example.com"),
                Map.entry("<EMAIL_2>", "bob@example.com"),
                Map.entry("<EMAIL_3>", "audit@example.com"),
                Map.entry("<PERSON_1>", "Alice Smith"),
                Map.entry("<PERSON_2>", "Bob Jones"));
    }

    @Test
    void restoresTheConversationsPlaceholdersInTheAnswerThoughThisRequestHoldsNoneOfTheirValues() {
        TestExchange exchange = turnWith(Pseudonyms.of(Map.of("<PERSON_1>", "Alice Smith",
                "<EMAIL_1>", "ann@example.com")));
        send(exchange, ChatMessage.text(Role.USER, "Dear <PERSON_1>, as discussed"));

        ChatResponse answer = plugin.onResponse(answer("Sent to <PERSON_1> at <EMAIL_1>"), exchange);

        assertThat(answer.choices().get(0).message().text()).isEqualTo("Sent to Alice Smith at ann@example.com");
    }

    @Test
    void restoresTheConversationsPlaceholdersInAStream() {
        TestExchange exchange = turnWith(Pseudonyms.of(Map.of("<PERSON_1>", "Alice Smith")));
        ChatRequest sent = send(exchange, ChatMessage.text(Role.USER, "Also copy ann@example.com"));
        StreamTransformer transformer = plugin.openStream(sent, exchange);
        List<String> out = new ArrayList<>();
        StreamSink sink = event -> out.add(event.choices().get(0).delta().content().orElse(""));

        for (String piece : List.of("Hi <PERS", "ON_1>, cc <EMA", "IL_1>.")) {
            transformer.onEvent(chunk(piece), sink);
        }
        transformer.onComplete(sink);

        assertThat(String.join("", out)).isEqualTo("Hi Alice Smith, cc ann@example.com.");
    }

    @Test
    void aNewValueNeverTakesAPlaceholderTheClientWroteInThisTurn() {
        TestExchange exchange = turnWith(Pseudonyms.of(Map.of("<EMAIL_1>", "ann@example.com")));

        ChatRequest sent = send(exchange, ChatMessage.text(Role.USER, "Template: <EMAIL_2>. Fill in bob@example.com"));

        assertThat(sent.messages().get(0).text()).isEqualTo("Template: <EMAIL_2>. Fill in <EMAIL_3>");
        assertThat(plugin.onResponse(answer("<EMAIL_2> is now <EMAIL_3>"), exchange).choices().get(0).message()
                .text()).isEqualTo("<EMAIL_2> is now bob@example.com");
    }

    @Test
    void keepsAValueOfAMaskedTypeForLaterTurnsThoughItIsNotRestoredNow() {
        PiiRedactionPlugin masking = plugin(Map.of("EMAIL", RedactionMode.MASK));
        TestExchange exchange = turnWith(Pseudonyms.NONE);

        ChatRequest sent = masking.onDecision(masking.onRequest(request(ChatMessage.text(Role.USER,
                "Alice Smith, ann@example.com")), exchange), exchange);

        assertThat(sent.messages().get(0).text()).isEqualTo("<PERSON_1>, ***@*******.***");
        assertThat(exchange.get(Attributes.CONVERSATION_PSEUDONYMS).orElseThrow().originals())
                .containsOnlyKeys("<PERSON_1>", "<EMAIL_1>");
        assertThat(masking.onResponse(answer("<EMAIL_1>"), exchange).choices().get(0).message().text())
                .isEqualTo("<EMAIL_1>");
    }

    @Test
    void handsBackTheConversationsPseudonymsUnchangedWhenTheTurnAddsNone() {
        Pseudonyms conversation = Pseudonyms.of(Map.of("<PERSON_1>", "Alice Smith"));
        TestExchange exchange = turnWith(conversation);

        send(exchange, ChatMessage.text(Role.USER, "Thanks, Alice Smith"));

        assertThat(exchange.get(Attributes.CONVERSATION_PSEUDONYMS)).contains(conversation);
    }

    @Test
    void outsideAConversationItNeitherReadsNorWritesThePseudonyms() {
        TestExchange exchange = new TestExchange();

        send(exchange, ChatMessage.text(Role.USER, TURN_1));

        assertThat(exchange.get(Attributes.CONVERSATION_PSEUDONYMS)).isEmpty();
    }

    private ChatRequest send(TestExchange exchange, ChatMessage... messages) {
        return plugin.onDecision(plugin.onRequest(request(messages), exchange), exchange);
    }

    private static TestExchange turnWith(Pseudonyms conversation) {
        TestExchange exchange = new TestExchange();
        exchange.put(Attributes.CONVERSATION_PSEUDONYMS, conversation);
        return exchange;
    }

    private static PiiRedactionPlugin plugin(Map<String, RedactionMode> modes) {
        return new PiiRedactionPlugin(new PiiScanner(List.of(RegexDetector.EMAIL, RegexDetector.PERSON)),
                Set.of("EMAIL", "PERSON"), new RedactionModes(modes, RedactionMode.PSEUDONYMIZE),
                new KeyedHasher("0123456789abcdef".getBytes(StandardCharsets.UTF_8)), false,
                new FindingsLimit(FindingsLimit.DEFAULT, "veil.plugins[0].max-findings"));
    }

    private static ChatRequest request(ChatMessage... messages) {
        return ChatRequest.of("m", List.of(messages));
    }

    private static ChatResponse answer(String text) {
        return ChatResponse.builder("r1", 1, "m")
                .choices(List.of(Choice.of(0, ChatMessage.text(Role.ASSISTANT, text), FinishReason.STOP))).build();
    }

    private static ChatChunk chunk(String text) {
        return ChatChunk.builder("c1", 1, "m").choices(List.of(ChunkChoice.of(0, Delta.content(text)))).build();
    }
}
