package dev.veil.server.codec.openai;

import static dev.veil.server.codec.JsonFields.raw;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.veil.server.codec.Json;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.Usage;

/**
 * Reads a {@code chat.completion.chunk} with a streaming parser. A streamed answer is thousands of small events a
 * second, and building a tree for each was the largest share of the stream path's JSON time. It reads the shapes
 * providers send; anything else — an {@code error} field, a value of an unexpected type — makes it give up, and the
 * caller reads the event as a tree instead, so both readings give the same chunk (checked by
 * {@code OpenAiChunkReaderTest} against the tree reading). Fields Veil does not model are kept as raw JSON.
 */
final class OpenAiChunkReader {
    private OpenAiChunkReader() {
    }

    /**
     * The chunk, or empty when the event needs the tree reading.
     *
     * @throws IOException when the event is not valid JSON
     */
    static Optional<ChatChunk> read(byte[] data) throws IOException {
        try (JsonParser p = Json.upstreamParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            String id = "";
            long created = 0;
            String model = "";
            List<ChunkChoice> choices = List.of();
            Optional<Usage> usage = Optional.empty();
            Optional<String> fingerprint = Optional.empty();
            Map<String, RawJson> unknown = null;
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            return Optional.empty();
                        }
                        id = p.getText();
                    }
                    case "model" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            return Optional.empty();
                        }
                        model = p.getText();
                    }
                    case "created" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT
                                || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                            return Optional.empty();
                        }
                        created = p.getLongValue();
                    }
                    case "object" -> p.skipChildren();
                    case "system_fingerprint" -> fingerprint = text(p, value);
                    case "usage" -> usage = OpenAiResponses.usage(p.readValueAsTree());
                    case "choices" -> {
                        Optional<List<ChunkChoice>> read = array(p, value, (parser, position) -> choice(parser));
                        if (read.isEmpty()) {
                            return Optional.empty();
                        }
                        choices = read.get();
                    }
                    case "error" -> {
                        return Optional.empty();
                    }
                    default -> unknown = keep(unknown, field, p);
                }
            }
            if (p.nextToken() != null) {
                return Optional.empty();
            }
            return Optional.of(new ChatChunk(id, created, model, choices, usage, fingerprint,
                    extensions(unknown)));
        }
    }

    /** One choice, the parser on its first token; empty when it needs the tree reading. */
    private static Optional<ChunkChoice> choice(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return Optional.empty();
        }
        int index = 0;
        Delta delta = Delta.EMPTY;
        Optional<FinishReason> finishReason = Optional.empty();
        Map<String, RawJson> unknown = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "index" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                        return Optional.empty();
                    }
                    index = p.getIntValue();
                }
                case "delta" -> {
                    if (value == JsonToken.VALUE_NULL) {
                        delta = Delta.EMPTY;
                        continue;
                    }
                    Optional<Delta> read = delta(p);
                    if (read.isEmpty()) {
                        return Optional.empty();
                    }
                    delta = read.get();
                }
                case "finish_reason" -> finishReason = text(p, value).map(FinishReason::fromWireName);
                case "message" -> {
                    // A chunk's choice carries a delta; the tree reading ignores a message here too.
                    p.skipChildren();
                }
                default -> unknown = keep(unknown, field, p);
            }
        }
        return Optional.of(new ChunkChoice(index, delta, finishReason,
                extensions(unknown)));
    }

    /** A delta, the parser on its first token; empty when it needs the tree reading. */
    private static Optional<Delta> delta(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return Optional.empty();
        }
        Optional<Role> role = Optional.empty();
        Optional<String> content = Optional.empty();
        Optional<String> reasoning = Optional.empty();
        Optional<String> refusal = Optional.empty();
        List<ToolCallDelta> calls = List.of();
        Map<String, RawJson> unknown = null;
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "role" -> role = text(p, value).flatMap(Role::fromWireName);
                case "content" -> content = text(p, value);
                case "reasoning_content" -> reasoning = text(p, value);
                case "refusal" -> refusal = text(p, value);
                case "name" -> p.skipChildren();
                case "tool_calls" -> {
                    Optional<List<ToolCallDelta>> read = array(p, value, OpenAiChunkReader::toolCall);
                    if (read.isEmpty()) {
                        return Optional.empty();
                    }
                    calls = read.get();
                }
                default -> unknown = keep(unknown, field, p);
            }
        }
        return Optional.of(new Delta(role, content, reasoning, refusal, calls,
                extensions(unknown)));
    }

    private static Optional<ToolCallDelta> toolCall(JsonParser p, int position) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return Optional.empty();
        }
        int index = position;
        Optional<String> id = Optional.empty();
        Optional<String> name = Optional.empty();
        Optional<String> arguments = Optional.empty();
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "index" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                        return Optional.empty();
                    }
                    index = p.getIntValue();
                }
                case "id" -> id = text(p, value);
                case "function" -> {
                    if (value != JsonToken.START_OBJECT) {
                        return Optional.empty();
                    }
                    name = Optional.empty();
                    arguments = Optional.empty();
                    for (String inner = p.nextFieldName(); inner != null; inner = p.nextFieldName()) {
                        JsonToken innerValue = p.nextToken();
                        switch (inner) {
                            case "name" -> name = text(p, innerValue);
                            case "arguments" -> arguments = text(p, innerValue);
                            default -> p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        return Optional.of(new ToolCallDelta(index, id, name, arguments));
    }

    /** Reads one element of an array, the parser on its first token; empty when it needs the tree reading. */
    private interface ElementReader<T> {
        Optional<T> read(JsonParser p, int position) throws IOException;
    }

    /** An array's elements ({@code null} reads as none); empty when an element needs the tree reading. */
    private static <T> Optional<List<T>> array(JsonParser p, JsonToken value, ElementReader<T> element)
            throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return Optional.of(List.of());
        }
        if (value != JsonToken.START_ARRAY) {
            return Optional.empty();
        }
        List<T> read = new ArrayList<>(1);
        while (p.nextToken() != JsonToken.END_ARRAY) {
            Optional<T> next = element.read(p, read.size());
            if (next.isEmpty()) {
                return Optional.empty();
            }
            read.add(next.get());
        }
        return Optional.of(read);
    }

    /** Keeps a field Veil does not model, as raw JSON; the map is made on the first one. */
    private static Map<String, RawJson> keep(Map<String, RawJson> unknown, String field, JsonParser p)
            throws IOException {
        Map<String, RawJson> kept = unknown == null ? new LinkedHashMap<>() : unknown;
        kept.put(field, raw(p.readValueAsTree()));
        return kept;
    }

    private static Extensions extensions(Map<String, RawJson> unknown) {
        return unknown == null ? Extensions.NONE : Extensions.of(unknown);
    }

    /** The string value the parser is on; empty for any other value, which is skipped. */
    private static Optional<String> text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return Optional.of(p.getText());
        }
        p.skipChildren();
        return Optional.empty();
    }
}
