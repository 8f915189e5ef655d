package dev.veil.plugins.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.ResponseFormat;
import dev.veil.spi.SamplingParameters;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;

/**
 * The SHA-256 of a request's canonical form: everything that can change the answer, written as one JSON document in
 * a fixed field order, with verbatim JSON values (schemas, unknown fields) canonicalized. How the client spelled its
 * JSON does not matter; how it wants the answer delivered ({@code stream}, {@code stream_options}) and who it says it
 * is ({@code user}, {@code metadata}) do not either, so one answer serves them all.
 */
final class RequestDigest {
    /** Fields that never change the answer, should they arrive as unknown fields. */
    private static final Set<String> EXCLUDED = Set.of("stream", "stream_options", "user", "metadata");

    private RequestDigest() {
    }

    /**
     * The digest as lower-case hex; empty when the request holds a kind of content part, tool choice or response
     * format that a later SPI added and this plugin cannot write, so cannot tell apart from another of its kind.
     */
    static Optional<String> of(ChatRequest request) {
        try {
            return Optional.of(HexFormat.of().formatHex(sha256(canonical(request))));
        } catch (UnknownKind e) {
            return Optional.empty();
        }
    }

    /** The canonical form the digest is taken of. */
    private static String canonical(ChatRequest request) {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        field(out, "model").append(string(request.model()));
        field(out, "messages").append('[');
        for (int i = 0; i < request.messages().size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            message(out, request.messages().get(i));
        }
        out.append(']');
        field(out, "tools").append('[');
        for (int i = 0; i < request.tools().size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            tool(out, request.tools().get(i));
        }
        out.append(']');
        request.toolChoice().ifPresent(choice -> toolChoice(field(out, "tool_choice"), choice));
        request.parallelToolCalls().ifPresent(parallel -> field(out, "parallel_tool_calls").append(parallel));
        request.responseFormat().ifPresent(format -> responseFormat(field(out, "response_format"), format));
        sampling(out, request.sampling());
        field(out, "stop").append('[');
        for (int i = 0; i < request.stop().size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(string(request.stop().get(i)));
        }
        out.append(']');
        number(out, "seed", request.seed());
        optional(out, "reasoning_effort", request.reasoningEffort());
        extensions(out, "extensions", request.extensions(), EXCLUDED);
        return out.append('}').toString();
    }

    private static void message(StringBuilder out, ChatMessage message) {
        out.append('{');
        field(out, "role").append(string(message.role().wireName()));
        field(out, "content").append('[');
        for (int i = 0; i < message.content().size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            part(out, message.content().get(i));
        }
        out.append(']');
        optional(out, "name", message.name());
        field(out, "tool_calls").append('[');
        for (int i = 0; i < message.toolCalls().size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            ToolCall call = message.toolCalls().get(i);
            out.append('{');
            field(out, "id").append(string(call.id()));
            field(out, "name").append(string(call.name()));
            json(field(out, "arguments"), call.arguments());
            out.append('}');
        }
        out.append(']');
        optional(out, "tool_call_id", message.toolCallId());
        optional(out, "reasoning_content", message.reasoningContent());
        optional(out, "refusal", message.refusal());
        extensions(out, "extensions", message.extensions(), Set.of());
        out.append('}');
    }

    private static void part(StringBuilder out, ContentPart part) {
        out.append('{');
        switch (part) {
            case ContentPart.Text text -> {
                field(out, "type").append("\"text\"");
                field(out, "text").append(string(text.text()));
                extensions(out, "extensions", text.extensions(), Set.of());
            }
            case ContentPart.Image image -> {
                field(out, "type").append("\"image\"");
                field(out, "url").append(string(image.url()));
                optional(out, "detail", image.detail());
                extensions(out, "extensions", image.extensions(), Set.of());
            }
            case ContentPart.Other other -> {
                field(out, "type").append(string(other.type()));
                json(field(out, "json"), other.json().text());
            }
            default -> throw new UnknownKind();
        }
        out.append('}');
    }

    private static void tool(StringBuilder out, ToolDefinition tool) {
        out.append('{');
        field(out, "type").append(string(tool.type()));
        field(out, "name").append(string(tool.name()));
        optional(out, "description", tool.description());
        tool.parameters().ifPresent(parameters -> json(field(out, "parameters"), parameters.text()));
        tool.strict().ifPresent(strict -> field(out, "strict").append(strict));
        extensions(out, "extensions", tool.extensions(), Set.of());
        out.append('}');
    }

    private static void toolChoice(StringBuilder out, ToolChoice choice) {
        switch (choice) {
            case ToolChoice.Mode mode -> out.append("{\"mode\":").append(string(mode.mode())).append('}');
            case ToolChoice.Function function -> out.append("{\"function\":").append(string(function.name()))
                    .append('}');
            case ToolChoice.Other other -> json(out.append("{\"other\":"), other.json().text()).append('}');
            default -> throw new UnknownKind();
        }
    }

    private static void responseFormat(StringBuilder out, ResponseFormat format) {
        switch (format) {
            case ResponseFormat.Text text -> out.append("{\"type\":\"text\"}");
            case ResponseFormat.JsonObject object -> out.append("{\"type\":\"json_object\"}");
            case ResponseFormat.JsonSchema schema -> {
                out.append("{\"type\":\"json_schema\"");
                field(out, "name").append(string(schema.name()));
                optional(out, "description", schema.description());
                schema.schema().ifPresent(json -> json(field(out, "schema"), json.text()));
                schema.strict().ifPresent(strict -> field(out, "strict").append(strict));
                out.append('}');
            }
            default -> throw new UnknownKind();
        }
    }

    private static void sampling(StringBuilder out, SamplingParameters sampling) {
        number(out, "temperature", sampling.temperature());
        number(out, "top_p", sampling.topP());
        number(out, "max_tokens", sampling.maxTokens());
        number(out, "max_completion_tokens", sampling.maxCompletionTokens());
        number(out, "n", sampling.n());
        number(out, "presence_penalty", sampling.presencePenalty());
        number(out, "frequency_penalty", sampling.frequencyPenalty());
    }

    private static void extensions(StringBuilder out, String name, Extensions extensions, Set<String> excluded) {
        if (extensions.isEmpty()) {
            return;
        }
        Map<String, RawJson> sorted = new TreeMap<>(extensions.fields());
        sorted.keySet().removeAll(excluded);
        if (sorted.isEmpty()) {
            return;
        }
        field(out, name).append('{');
        boolean first = true;
        for (Map.Entry<String, RawJson> entry : sorted.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(string(entry.getKey())).append(':');
            json(out, entry.getValue().text());
        }
        out.append('}');
    }

    /** Canonical JSON when the text parses; otherwise the text itself, marked so it cannot pass for JSON. */
    private static StringBuilder json(StringBuilder out, String text) {
        int mark = out.length();
        try {
            CanonicalJson.append(text, out);
        } catch (IllegalArgumentException e) {
            out.setLength(mark);
            out.append("{\"unparsed\":").append(string(text)).append('}');
        }
        return out;
    }

    private static StringBuilder field(StringBuilder out, String name) {
        if (out.charAt(out.length() - 1) != '{') {
            out.append(',');
        }
        return out.append('"').append(name).append("\":");
    }

    private static void optional(StringBuilder out, String name, Optional<String> value) {
        value.ifPresent(text -> field(out, name).append(string(text)));
    }

    private static void number(StringBuilder out, String name, OptionalDouble value) {
        if (value.isPresent()) {
            field(out, name).append(value.getAsDouble());
        }
    }

    private static void number(StringBuilder out, String name, OptionalInt value) {
        if (value.isPresent()) {
            field(out, name).append(value.getAsInt());
        }
    }

    private static void number(StringBuilder out, String name, OptionalLong value) {
        if (value.isPresent()) {
            field(out, name).append(value.getAsLong());
        }
    }

    private static String string(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2);
        CanonicalJson.appendString(value, out);
        return out.toString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A value of a kind a later SPI added: the digest cannot be taken. */
    private static final class UnknownKind extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownKind() {
            super(null, null, false, false);
        }
    }
}
