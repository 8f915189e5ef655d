package dev.veil.plugins.pii;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ContentPart;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.Extensions;
import dev.veil.spi.RawJson;
import dev.veil.spi.ResponseFormat;
import dev.veil.spi.StreamOptions;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolDefinition;

/**
 * Every text of a request a provider reads, on whichever API surface the request came in, since all arrive here in
 * the canonical form: the one list of them that scanning ({@link #forEach}) and rewriting ({@link #rewrite}) both
 * walk, so that the two never disagree. docs/pii.md ("Fields") lists them with the reason for each field left out.
 *
 * <p>Read as text: message content, participant names, earlier reasoning and refusals, tool descriptions, the
 * answer schema's description, stop sequences, {@code user} and metadata values. Read as JSON, whose string values
 * are scanned decoded and whose keys stay: tool-call arguments, tool parameter schemas, the answer schema, and
 * every field Veil does not model (unknown top-level, message, content-part, tool and stream-option fields, parts of
 * unknown types). Left as they are: identifiers a provider matches against each other (model, tool and function
 * names, call ids, {@code tool_choice}, the answer schema's name), enum-like values and numbers, metadata keys,
 * image URLs, token arrays, and thinking blocks, which their provider signed and rejects when changed.
 */
final class RequestTexts {
    /** What a text is, which says how a finding in it is written. */
    enum Kind {
        /** Plain text: a finding becomes its placeholder. */
        TEXT(false),
        /** A JSON document: string values decoded, keys kept, a finding written JSON-encoded. */
        JSON(true),
        /**
         * A participant name ({@code messages[].name}), which providers restrict to letters, digits, {@code _} and
         * {@code -}: a finding becomes its placeholder without the angle brackets ({@code EMAIL_1}).
         */
        NAME(false),
        /**
         * The end user's identifier ({@code user}, Anthropic's {@code metadata.user_id}): a provider tells users
         * apart by it, which a placeholder, the same {@code <EMAIL_1>} for every user, would undo; a finding becomes
         * its keyed hash.
         */
        END_USER(false),
        /** An end user's identifier kept as a JSON string ({@code safety_identifier}, {@code prompt_cache_key}). */
        END_USER_JSON(true);

        private final boolean json;

        Kind(boolean json) {
            this.json = json;
        }

        /** Whether the text is JSON, so that values written into it must be JSON-encoded. */
        boolean json() {
            return json;
        }
    }

    /** A rewrite of one text of a request, told what kind of text it is. */
    @FunctionalInterface
    interface FieldRewrite {
        /** The rewritten text, or {@code text} itself when nothing changed. */
        String apply(String text, Kind kind);
    }

    /** Message fields sent as they are: thinking blocks are signed by their provider, and a changed one is refused. */
    private static final Set<String> SIGNED_MESSAGE_FIELDS = Set.of("thinking_blocks");
    /** Top-level fields that identify the end user, by the names Chat Completions and the Responses API give them. */
    private static final Set<String> END_USER_FIELDS = Set.of("safety_identifier", "prompt_cache_key");

    private RequestTexts() {
    }

    /** Calls {@code visit} with each text of a chat request. */
    static void forEach(ChatRequest request, Consumer<String> visit) {
        rewrite(request, (text, kind) -> {
            visit.accept(text);
            return text;
        });
    }

    /** Calls {@code visit} with each text of an embeddings request. */
    static void forEach(EmbeddingsRequest request, Consumer<String> visit) {
        rewrite(request, (text, kind) -> {
            visit.accept(text);
            return text;
        });
    }

    /** A rewrite that treats every text as {@code rewrite} treats plain text or JSON. */
    static FieldRewrite byJson(TextRewrite rewrite) {
        return (text, kind) -> rewrite.apply(text, kind.json());
    }

    /** The request with every text rewritten; {@code request} itself when no text changed. */
    static ChatRequest rewrite(ChatRequest request, FieldRewrite rewrite) {
        List<ChatMessage> messages = each(request.messages(), rewrite, RequestTexts::message);
        List<ToolDefinition> tools = each(request.tools(), rewrite, RequestTexts::tool);
        Optional<ResponseFormat> format = request.responseFormat().isPresent()
                && request.responseFormat().get() instanceof ResponseFormat.JsonSchema schema
                ? Optional.of(schema(schema, rewrite)) : request.responseFormat();
        List<String> stop = each(request.stop(), rewrite, RequestTexts::text);
        Optional<String> user = text(request.user(), Kind.END_USER, rewrite);
        Map<String, String> metadata = values(request.metadata(), rewrite);
        Optional<StreamOptions> streamOptions = request.streamOptions().isEmpty() ? request.streamOptions()
                : Optional.of(streamOptions(request.streamOptions().get(), rewrite));
        Extensions extensions = extensions(request.extensions(), END_USER_FIELDS, Set.of(), rewrite);
        if (messages == request.messages() && tools == request.tools() && same(format, request.responseFormat())
                && stop == request.stop() && same(user, request.user()) && metadata == request.metadata()
                && same(streamOptions, request.streamOptions()) && extensions == request.extensions()) {
            return request;
        }
        ChatRequest.Builder rewritten = request.toBuilder().messages(messages).tools(tools).stop(stop)
                .metadata(metadata).extensions(extensions);
        format.ifPresent(rewritten::responseFormat);
        user.ifPresent(rewritten::user);
        streamOptions.ifPresent(rewritten::streamOptions);
        return rewritten.build();
    }

    /** The request with every text rewritten; {@code request} itself when no text changed. */
    static EmbeddingsRequest rewrite(EmbeddingsRequest request, FieldRewrite rewrite) {
        EmbeddingInput input = request.input();
        if (input instanceof EmbeddingInput.Texts texts) {
            List<String> rewritten = each(texts.texts(), rewrite, RequestTexts::text);
            input = rewritten == texts.texts() ? input : texts.withTexts(rewritten);
        }
        Optional<String> user = text(request.user(), Kind.END_USER, rewrite);
        Extensions extensions = extensions(request.extensions(), END_USER_FIELDS, Set.of(), rewrite);
        if (input == request.input() && same(user, request.user()) && extensions == request.extensions()) {
            return request;
        }
        EmbeddingsRequest.Builder rewritten = request.toBuilder().input(input).extensions(extensions);
        user.ifPresent(rewritten::user);
        return rewritten.build();
    }

    private static ChatMessage message(ChatMessage message, FieldRewrite rewrite) {
        List<ContentPart> content = each(message.content(), rewrite, RequestTexts::part);
        Optional<String> name = text(message.name(), Kind.NAME, rewrite);
        List<ToolCall> calls = each(message.toolCalls(), rewrite, RequestTexts::call);
        Optional<String> reasoning = text(message.reasoningContent(), Kind.TEXT, rewrite);
        Optional<String> refusal = text(message.refusal(), Kind.TEXT, rewrite);
        Extensions extensions = extensions(message.extensions(), Set.of(), SIGNED_MESSAGE_FIELDS, rewrite);
        if (content == message.content() && same(name, message.name()) && calls == message.toolCalls()
                && same(reasoning, message.reasoningContent()) && same(refusal, message.refusal())
                && extensions == message.extensions()) {
            return message;
        }
        ChatMessage.Builder rewritten = message.toBuilder().content(content).toolCalls(calls).extensions(extensions);
        name.ifPresent(rewritten::name);
        reasoning.ifPresent(rewritten::reasoningContent);
        refusal.ifPresent(rewritten::refusal);
        return rewritten.build();
    }

    private static ToolCall call(ToolCall call, FieldRewrite rewrite) {
        String arguments = rewrite.apply(call.arguments(), Kind.JSON);
        return arguments == call.arguments() ? call : call.withArguments(arguments);
    }

    private static String text(String text, FieldRewrite rewrite) {
        return rewrite.apply(text, Kind.TEXT);
    }

    private static ContentPart part(ContentPart part, FieldRewrite rewrite) {
        if (part instanceof ContentPart.Text text) {
            String rewritten = rewrite.apply(text.text(), Kind.TEXT);
            Extensions extensions = extensions(text.extensions(), Set.of(), Set.of(), rewrite);
            ContentPart.Text result = rewritten == text.text() ? text : text.withText(rewritten);
            return extensions == text.extensions() ? result : result.withExtensions(extensions);
        }
        if (part instanceof ContentPart.Image image) {
            // The URL stays: a provider fetches it or decodes it, and either breaks when it changes.
            Extensions extensions = extensions(image.extensions(), Set.of(), Set.of(), rewrite);
            return extensions == image.extensions() ? image : image.withExtensions(extensions);
        }
        if (part instanceof ContentPart.Other other) {
            RawJson json = json(other.json(), Kind.JSON, rewrite);
            return json == other.json() ? other : other.withJson(json);
        }
        return part;
    }

    private static ToolDefinition tool(ToolDefinition tool, FieldRewrite rewrite) {
        ToolDefinition rewritten = tool;
        Optional<String> description = text(tool.description(), Kind.TEXT, rewrite);
        if (!same(description, tool.description())) {
            rewritten = rewritten.withDescription(description.get());
        }
        if (tool.parameters().isPresent()) {
            RawJson parameters = json(tool.parameters().get(), Kind.JSON, rewrite);
            if (parameters != tool.parameters().get()) {
                rewritten = rewritten.withParameters(parameters);
            }
        }
        Extensions extensions = extensions(tool.extensions(), Set.of(), Set.of(), rewrite);
        return extensions == tool.extensions() ? rewritten : rewritten.withExtensions(extensions);
    }

    private static ResponseFormat schema(ResponseFormat.JsonSchema schema, FieldRewrite rewrite) {
        ResponseFormat.JsonSchema rewritten = schema;
        Optional<String> description = text(schema.description(), Kind.TEXT, rewrite);
        if (!same(description, schema.description())) {
            rewritten = rewritten.withDescription(description.get());
        }
        if (schema.schema().isPresent()) {
            RawJson body = json(schema.schema().get(), Kind.JSON, rewrite);
            if (body != schema.schema().get()) {
                rewritten = rewritten.withSchema(body);
            }
        }
        return rewritten;
    }

    private static StreamOptions streamOptions(StreamOptions options, FieldRewrite rewrite) {
        Extensions extensions = extensions(options.extensions(), Set.of(), Set.of(), rewrite);
        return extensions == options.extensions() ? options : options.withExtensions(extensions);
    }

    /**
     * Unknown fields, each scanned as JSON; {@code endUser} names those holding the end user's identifier,
     * {@code signed} those sent as they are.
     */
    private static Extensions extensions(Extensions extensions, Set<String> endUser, Set<String> signed,
                                         FieldRewrite rewrite) {
        if (extensions.isEmpty()) {
            return extensions;
        }
        Map<String, RawJson> fields = null;
        for (Map.Entry<String, RawJson> field : extensions.fields().entrySet()) {
            if (signed.contains(field.getKey())) {
                continue;
            }
            RawJson value = json(field.getValue(), endUser.contains(field.getKey()) ? Kind.END_USER_JSON
                    : Kind.JSON, rewrite);
            if (value != field.getValue()) {
                if (fields == null) {
                    fields = new LinkedHashMap<>(extensions.fields());
                }
                fields.put(field.getKey(), value);
            }
        }
        return fields == null ? extensions : Extensions.of(fields);
    }

    /** Metadata: keys are the client's names for its own fields and stay; values are scanned as text. */
    private static Map<String, String> values(Map<String, String> metadata, FieldRewrite rewrite) {
        Map<String, String> rewritten = null;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            String value = rewrite.apply(entry.getValue(), Kind.TEXT);
            if (value != entry.getValue()) {
                if (rewritten == null) {
                    rewritten = new LinkedHashMap<>(metadata);
                }
                rewritten.put(entry.getKey(), value);
            }
        }
        return rewritten == null ? metadata : rewritten;
    }

    private static RawJson json(RawJson json, Kind kind, FieldRewrite rewrite) {
        String rewritten = rewrite.apply(json.text(), kind);
        return rewritten == json.text() ? json : RawJson.of(rewritten);
    }

    private static Optional<String> text(Optional<String> text, Kind kind, FieldRewrite rewrite) {
        if (text.isEmpty()) {
            return text;
        }
        String rewritten = rewrite.apply(text.get(), kind);
        return rewritten == text.get() ? text : Optional.of(rewritten);
    }

    /** Rewrites one element of a list; a method reference to a static method, so that passing one allocates nothing. */
    @FunctionalInterface
    private interface ElementRewrite<T> {
        T apply(T element, FieldRewrite rewrite);
    }

    /** {@code list} with each element rewritten; {@code list} itself when none changed. */
    private static <T> List<T> each(List<T> list, FieldRewrite rewrite, ElementRewrite<T> element) {
        List<T> rewritten = null;
        for (int i = 0; i < list.size(); i++) {
            T original = list.get(i);
            T result = element.apply(original, rewrite);
            if (result != original && rewritten == null) {
                rewritten = new ArrayList<>(list);
            }
            if (rewritten != null) {
                rewritten.set(i, result);
            }
        }
        return rewritten == null ? list : rewritten;
    }

    private static <T> boolean same(Optional<T> after, Optional<T> before) {
        return after == before || after.isPresent() && before.isPresent() && after.get() == before.get();
    }
}
