package dev.veil.plugins.pii;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.veil.plugins.pii.testing.CorpusScore;
import dev.veil.plugins.pii.testing.PiiCorpus;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.StreamTransformer;
import dev.veil.spi.testing.TestExchange;

/**
 * Redaction quality of {@code {name: pii-redaction}} on the labelled corpora, through the plugin's phases as the
 * server runs them: each text goes out as a user message, as the arguments of an earlier tool call, or comes back
 * as a stream, and is scored by {@link CorpusScore} on what the provider would have received and what the client
 * got back. {@code dev-v2} is the corpus the detectors were developed on; {@code heldout} was generated with other
 * names, streets and templates and judges whether they generalise; {@code blind} was written after both were tuned
 * on, with other names, streets and templates again.
 */
class PiiCorpusQualityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STREAM_PIECE = 7;

    @TempDir
    Path dataDir;

    /**
     * Each corpus on each surface: {@code dev-v2}, {@code heldout} and {@code blind}, or those named by the
     * {@code veil.pii.corpora} system property (comma-separated file names beside them, such as {@code judge.jsonl}).
     */
    static Stream<Arguments> corporaAndSurfaces() {
        String corpora = System.getProperty("veil.pii.corpora", "dev-v2.jsonl,heldout.jsonl,blind.jsonl");
        return Arrays.stream(corpora.split(",")).map(String::strip).flatMap(corpus -> Stream.of("message",
                "tool-call arguments", "stream").map(surface -> Arguments.of(corpus, surface)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("corporaAndSurfaces")
    void meetsTheBar(String corpus, String surface) {
        PiiRedactionPlugin plugin = plugin();
        CorpusScore score = new CorpusScore(corpus.replace(".jsonl", "") + ", " + surface);
        for (PiiCorpus.Sample sample : PiiCorpus.load(corpus)) {
            long started = System.nanoTime();
            String[] sentAndAnswer = switch (surface) {
                case "message" -> asMessage(plugin, sample.text());
                case "tool-call arguments" -> asToolCallArguments(plugin, sample.text());
                default -> asStream(plugin, sample.text());
            };
            score.add(sample, sentAndAnswer[0], sentAndAnswer[1], System.nanoTime() - started);
        }
        score.print();
        score.assertMeetsTheBar();
    }

    private static String[] asMessage(PiiRedactionPlugin plugin, String text) {
        TestExchange exchange = new TestExchange();
        ChatRequest sent = plugin.onDecision(plugin.onRequest(ChatRequest.of("m", List.of(
                ChatMessage.text(Role.USER, text))), exchange), exchange);
        String sentText = sent.messages().get(0).text();
        ChatResponse answer = plugin.onResponse(answer(ChatMessage.text(Role.ASSISTANT, sentText)), exchange);
        return new String[] {sentText, answer.choices().get(0).message().text()};
    }

    private static String[] asToolCallArguments(PiiRedactionPlugin plugin, String text) {
        TestExchange exchange = new TestExchange();
        String arguments = json(Map.of("text", text));
        ChatRequest sent = plugin.onDecision(plugin.onRequest(ChatRequest.of("m", List.of(
                ChatMessage.text(Role.USER, "Record this note."),
                ChatMessage.text(Role.ASSISTANT, "").withToolCalls(List.of(new ToolCall("call_1", "record",
                        arguments))))), exchange), exchange);
        String sentArguments = sent.messages().get(1).toolCalls().get(0).arguments();
        ChatResponse answer = plugin.onResponse(answer(ChatMessage.text(Role.ASSISTANT, "").withToolCalls(
                List.of(new ToolCall("call_2", "record", sentArguments)))), exchange);
        return new String[] {textOf(sentArguments),
            textOf(answer.choices().get(0).message().toolCalls().get(0).arguments())};
    }

    /** The redacted text streamed back in small pieces, so that placeholders arrive split. */
    private static String[] asStream(PiiRedactionPlugin plugin, String text) {
        TestExchange exchange = new TestExchange();
        ChatRequest request = ChatRequest.of("m", List.of(ChatMessage.text(Role.USER, text)));
        ChatRequest sent = plugin.onDecision(plugin.onRequest(request, exchange), exchange);
        String sentText = sent.messages().get(0).text();
        StreamTransformer stream = plugin.openStream(sent, exchange);
        StringBuilder received = new StringBuilder();
        List<ChatChunk> events = new ArrayList<>();
        for (int at = 0; at < sentText.length(); at += STREAM_PIECE) {
            String piece = sentText.substring(at, Math.min(sentText.length(), at + STREAM_PIECE));
            boolean last = at + STREAM_PIECE >= sentText.length();
            events.add(new ChatChunk("c", 1, "m", List.of(new ChunkChoice(0, Delta.content(piece),
                    last ? Optional.of(FinishReason.STOP) : Optional.empty(), Extensions.NONE)), Optional.empty(),
                    Optional.empty(), Extensions.NONE));
        }
        for (ChatChunk event : events) {
            stream.onEvent(event, emitted -> collect(emitted, received));
        }
        stream.onComplete(emitted -> collect(emitted, received));
        return new String[] {sentText, received.toString()};
    }

    private static void collect(ChatChunk event, StringBuilder received) {
        event.choices().forEach(choice -> choice.delta().content().ifPresent(received::append));
    }

    private static ChatResponse answer(ChatMessage message) {
        return new ChatResponse("r", 1, "m", List.of(new Choice(0, message, Optional.of(FinishReason.STOP),
                Extensions.NONE)), Optional.empty(), Optional.empty(), Extensions.NONE);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text inside tool-call arguments; arguments that are no longer JSON are scored as they are. */
    private static String textOf(String arguments) {
        try {
            return JSON.readTree(arguments).path("text").asText();
        } catch (JsonProcessingException e) {
            return arguments;
        }
    }

    private PiiRedactionPlugin plugin() {
        return (PiiRedactionPlugin) new PiiRedactionFactory().create(new PluginSettings("veil.plugins[0]",
                Map.of("hash-key", "0123456789abcdef")), new PluginContext() {
                    @Override
                    public String name() {
                        return "pii-redaction";
                    }

                    @Override
                    public System.Logger logger() {
                        return System.getLogger(PiiCorpusQualityTest.class.getName());
                    }

                    @Override
                    public Path dataDir() {
                        return dataDir;
                    }
                });
    }
}
