package dev.veil.server.codec.openai;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.veil.server.codec.Json;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Delta;
import dev.veil.spi.Embedding;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.ResponseFormat;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolCallDelta;
import dev.veil.spi.ToolChoice;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;

/** Writes the canonical model as OpenAI-wire JSON: requests for upstreams, answers and errors for clients. */
public final class OpenAiWriter {
    private OpenAiWriter() {
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(int sizeHint, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The body of a chat completion request to an upstream of the given dialect, addressed to {@code model}. */
    public static byte[] chatRequest(ChatRequest request, String model, OpenAiDialect dialect) {
        return json(1024, g -> {
            g.writeStartObject();
            g.writeStringField("model", model);
            g.writeArrayFieldStart("messages");
            for (ChatMessage message : request.messages()) {
                message(g, message, dialect.developerAsSystem());
            }
            g.writeEndArray();
            if (!request.tools().isEmpty() && dialect.sends("tools")) {
                g.writeArrayFieldStart("tools");
                for (ToolDefinition tool : request.tools()) {
                    tool(g, tool);
                }
                g.writeEndArray();
            }
            if (request.toolChoice().isPresent() && dialect.sends("tool_choice")) {
                g.writeFieldName("tool_choice");
                toolChoice(g, request.toolChoice().get());
            }
            if (request.parallelToolCalls().isPresent() && dialect.sends("parallel_tool_calls")) {
                g.writeBooleanField("parallel_tool_calls", request.parallelToolCalls().get());
            }
            if (request.responseFormat().isPresent() && dialect.sends("response_format")) {
                g.writeFieldName("response_format");
                responseFormat(g, request.responseFormat().get());
            }
            var sampling = request.sampling();
            number(g, dialect, "temperature", sampling.temperature());
            number(g, dialect, "top_p", sampling.topP());
            if (dialect.legacyMaxTokens()) {
                integer(g, dialect, "max_tokens", sampling.outputTokenLimit());
            } else {
                integer(g, dialect, "max_tokens", sampling.maxTokens());
                integer(g, dialect, "max_completion_tokens", sampling.maxCompletionTokens());
            }
            integer(g, dialect, "n", sampling.n());
            number(g, dialect, "presence_penalty", sampling.presencePenalty());
            number(g, dialect, "frequency_penalty", sampling.frequencyPenalty());
            if (!request.stop().isEmpty() && dialect.sends("stop")) {
                g.writeArrayFieldStart("stop");
                for (String stop : request.stop()) {
                    g.writeString(stop);
                }
                g.writeEndArray();
            }
            if (request.seed().isPresent() && dialect.sends("seed")) {
                g.writeNumberField(dialect.name("seed"), request.seed().getAsLong());
            }
            string(g, dialect, "reasoning_effort", request.reasoningEffort());
            if (request.stream()) {
                g.writeBooleanField("stream", true);
                if (dialect.streamUsageOption()) {
                    g.writeObjectFieldStart("stream_options");
                    g.writeBooleanField("include_usage", true);
                    request.streamOptions().ifPresent(options -> extensions(g, options.extensions()));
                    g.writeEndObject();
                }
            }
            string(g, dialect, "user", request.user());
            if (!request.metadata().isEmpty() && dialect.sends("metadata")) {
                g.writeObjectFieldStart("metadata");
                for (Map.Entry<String, String> entry : request.metadata().entrySet()) {
                    g.writeStringField(entry.getKey(), entry.getValue());
                }
                g.writeEndObject();
            }
            for (Map.Entry<String, RawJson> field : request.extensions().fields().entrySet()) {
                if (dialect.sends(field.getKey())) {
                    g.writeFieldName(dialect.name(field.getKey()));
                    g.writeRawValue(field.getValue().text());
                }
            }
            g.writeEndObject();
        });
    }

    /** The body of an embeddings request to an upstream, addressed to {@code model}. */
    public static byte[] embeddingsRequest(EmbeddingsRequest request, String model, OpenAiDialect dialect) {
        return json(512, g -> {
            g.writeStartObject();
            g.writeStringField("model", model);
            g.writeFieldName("input");
            switch (request.input()) {
                case EmbeddingInput.Texts texts when texts.single() -> g.writeString(texts.texts().get(0));
                case EmbeddingInput.Texts texts -> {
                    g.writeStartArray();
                    for (String text : texts.texts()) {
                        g.writeString(text);
                    }
                    g.writeEndArray();
                }
                case EmbeddingInput.Tokens tokens -> g.writeRawValue(tokens.json().text());
            }
            string(g, dialect, "encoding_format", request.encodingFormat());
            integer(g, dialect, "dimensions", request.dimensions());
            string(g, dialect, "user", request.user());
            for (Map.Entry<String, RawJson> field : request.extensions().fields().entrySet()) {
                if (dialect.sends(field.getKey())) {
                    g.writeFieldName(dialect.name(field.getKey()));
                    g.writeRawValue(field.getValue().text());
                }
            }
            g.writeEndObject();
        });
    }

    /** A {@code chat.completion} object for the client. */
    public static byte[] chatResponse(ChatResponse response) {
        return json(1024, g -> {
            g.writeStartObject();
            g.writeStringField("id", response.id());
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", response.created());
            g.writeStringField("model", response.model());
            g.writeArrayFieldStart("choices");
            for (Choice choice : response.choices()) {
                g.writeStartObject();
                g.writeNumberField("index", choice.index());
                g.writeFieldName("message");
                message(g, choice.message(), false);
                finishReason(g, choice.finishReason());
                extensions(g, choice.extensions());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (response.usage().isPresent()) {
                g.writeFieldName("usage");
                usage(g, response.usage().get());
            }
            optional(g, "system_fingerprint", response.systemFingerprint());
            extensions(g, response.extensions());
            g.writeEndObject();
        });
    }

    /** A {@code chat.completion.chunk} object for the client. */
    public static byte[] chatChunk(ChatChunk chunk) {
        return json(256, g -> {
            g.writeStartObject();
            g.writeStringField("id", chunk.id());
            g.writeStringField("object", "chat.completion.chunk");
            g.writeNumberField("created", chunk.created());
            g.writeStringField("model", chunk.model());
            optional(g, "system_fingerprint", chunk.systemFingerprint());
            g.writeArrayFieldStart("choices");
            for (ChunkChoice choice : chunk.choices()) {
                g.writeStartObject();
                g.writeNumberField("index", choice.index());
                g.writeFieldName("delta");
                delta(g, choice.delta());
                finishReason(g, choice.finishReason());
                extensions(g, choice.extensions());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (chunk.usage().isPresent()) {
                g.writeFieldName("usage");
                usage(g, chunk.usage().get());
            }
            extensions(g, chunk.extensions());
            g.writeEndObject();
        });
    }

    /** An embeddings list object for the client. */
    public static byte[] embeddingsResponse(EmbeddingsResponse response) {
        return json(4096, g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (Embedding embedding : response.data()) {
                g.writeStartObject();
                g.writeStringField("object", "embedding");
                g.writeNumberField("index", embedding.index());
                g.writeFieldName("embedding");
                g.writeRawValue(embedding.vector().text());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model", response.model());
            if (response.usage().isPresent()) {
                Usage usage = response.usage().get();
                g.writeObjectFieldStart("usage");
                g.writeNumberField("prompt_tokens", usage.promptTokens());
                g.writeNumberField("total_tokens", usage.totalTokens());
                g.writeEndObject();
            }
            extensions(g, response.extensions());
            g.writeEndObject();
        });
    }

    /** OpenAI's error object. */
    public static byte[] error(VeilException error) {
        return json(256, g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", error.getMessage());
            g.writeStringField("type", error.type());
            g.writeFieldName("param");
            if (error.param().isPresent()) {
                g.writeString(error.param().get());
            } else {
                g.writeNull();
            }
            g.writeFieldName("code");
            if (error.code().isPresent()) {
                g.writeString(error.code().get());
            } else {
                g.writeNull();
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /**
     * A models list.
     *
     * @param models model ids with their owners, in listing order
     */
    public static byte[] models(List<Map.Entry<String, String>> models, long created) {
        return json(128 + models.size() * 96, g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (Map.Entry<String, String> model : models) {
                model(g, model.getKey(), model.getValue(), created);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** One model object. */
    public static byte[] model(String id, String owner, long created) {
        return json(128, g -> model(g, id, owner, created));
    }

    private static void model(JsonGenerator g, String id, String owner, long created) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "model");
        g.writeNumberField("created", created);
        g.writeStringField("owned_by", owner);
        g.writeEndObject();
    }

    private static void message(JsonGenerator g, ChatMessage message, boolean developerAsSystem) throws IOException {
        g.writeStartObject();
        Role role = developerAsSystem && message.role() == Role.DEVELOPER ? Role.SYSTEM : message.role();
        g.writeStringField("role", role.wireName());
        g.writeFieldName("content");
        content(g, message);
        optional(g, "name", message.name());
        optional(g, "refusal", message.refusal());
        optional(g, "reasoning_content", message.reasoningContent());
        if (!message.toolCalls().isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCall call : message.toolCalls()) {
                g.writeStartObject();
                g.writeStringField("id", call.id());
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", call.name());
                g.writeStringField("arguments", call.arguments());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        optional(g, "tool_call_id", message.toolCallId());
        extensions(g, message.extensions());
        g.writeEndObject();
    }

    private static void content(JsonGenerator g, ChatMessage message) throws IOException {
        List<ContentPart> parts = message.content();
        if (parts.isEmpty()) {
            g.writeNull();
            return;
        }
        if (parts.size() == 1 && parts.get(0) instanceof ContentPart.Text text && text.extensions().isEmpty()) {
            g.writeString(text.text());
            return;
        }
        g.writeStartArray();
        for (ContentPart part : parts) {
            switch (part) {
                case ContentPart.Text text -> {
                    g.writeStartObject();
                    g.writeStringField("type", "text");
                    g.writeStringField("text", text.text());
                    extensions(g, text.extensions());
                    g.writeEndObject();
                }
                case ContentPart.Image image -> {
                    g.writeStartObject();
                    g.writeStringField("type", "image_url");
                    g.writeObjectFieldStart("image_url");
                    g.writeStringField("url", image.url());
                    optional(g, "detail", image.detail());
                    g.writeEndObject();
                    extensions(g, image.extensions());
                    g.writeEndObject();
                }
                case ContentPart.Other other -> g.writeRawValue(other.json().text());
            }
        }
        g.writeEndArray();
    }

    private static void tool(JsonGenerator g, ToolDefinition tool) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", tool.type());
        if (!tool.isFunction()) {
            extensions(g, tool.extensions());
            g.writeEndObject();
            return;
        }
        g.writeObjectFieldStart("function");
        g.writeStringField("name", tool.name());
        optional(g, "description", tool.description());
        if (tool.parameters().isPresent()) {
            g.writeFieldName("parameters");
            g.writeRawValue(tool.parameters().get().text());
        }
        if (tool.strict().isPresent()) {
            g.writeBooleanField("strict", tool.strict().get());
        }
        extensions(g, tool.extensions());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void toolChoice(JsonGenerator g, ToolChoice choice) throws IOException {
        switch (choice) {
            case ToolChoice.Mode mode -> g.writeString(mode.mode());
            case ToolChoice.Function function -> {
                g.writeStartObject();
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", function.name());
                g.writeEndObject();
                g.writeEndObject();
            }
            case ToolChoice.Other other -> g.writeRawValue(other.json().text());
        }
    }

    private static void responseFormat(JsonGenerator g, ResponseFormat format) throws IOException {
        g.writeStartObject();
        switch (format) {
            case ResponseFormat.Text ignored -> g.writeStringField("type", "text");
            case ResponseFormat.JsonObject ignored -> g.writeStringField("type", "json_object");
            case ResponseFormat.JsonSchema schema -> {
                g.writeStringField("type", "json_schema");
                g.writeObjectFieldStart("json_schema");
                g.writeStringField("name", schema.name());
                optional(g, "description", schema.description());
                if (schema.schema().isPresent()) {
                    g.writeFieldName("schema");
                    g.writeRawValue(schema.schema().get().text());
                }
                if (schema.strict().isPresent()) {
                    g.writeBooleanField("strict", schema.strict().get());
                }
                g.writeEndObject();
            }
        }
        g.writeEndObject();
    }

    private static void delta(JsonGenerator g, Delta delta) throws IOException {
        g.writeStartObject();
        if (delta.role().isPresent()) {
            g.writeStringField("role", delta.role().get().wireName());
        }
        optional(g, "content", delta.content());
        optional(g, "reasoning_content", delta.reasoningContent());
        optional(g, "refusal", delta.refusal());
        if (!delta.toolCalls().isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCallDelta call : delta.toolCalls()) {
                g.writeStartObject();
                g.writeNumberField("index", call.index());
                if (call.id().isPresent()) {
                    g.writeStringField("id", call.id().get());
                    g.writeStringField("type", "function");
                }
                g.writeObjectFieldStart("function");
                optional(g, "name", call.name());
                optional(g, "arguments", call.arguments());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        extensions(g, delta.extensions());
        g.writeEndObject();
    }

    private static void usage(JsonGenerator g, Usage usage) throws IOException {
        g.writeStartObject();
        g.writeNumberField("prompt_tokens", usage.promptTokens());
        g.writeNumberField("completion_tokens", usage.completionTokens());
        g.writeNumberField("total_tokens", usage.totalTokens());
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", usage.cachedPromptTokens());
        g.writeEndObject();
        g.writeObjectFieldStart("completion_tokens_details");
        g.writeNumberField("reasoning_tokens", usage.reasoningTokens());
        g.writeEndObject();
        extensions(g, usage.extensions());
        g.writeEndObject();
    }

    private static void extensions(JsonGenerator g, Extensions extensions) {
        try {
            for (Map.Entry<String, RawJson> field : extensions.fields().entrySet()) {
                g.writeFieldName(field.getKey());
                g.writeRawValue(field.getValue().text());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void finishReason(JsonGenerator g, Optional<FinishReason> reason) throws IOException {
        g.writeFieldName("finish_reason");
        if (reason.isPresent()) {
            g.writeString(reason.get().wireName());
        } else {
            g.writeNull();
        }
    }

    private static void optional(JsonGenerator g, String field, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            g.writeStringField(field, value.get());
        }
    }

    private static void number(JsonGenerator g, OpenAiDialect dialect, String field, OptionalDouble value)
            throws IOException {
        if (value.isPresent() && dialect.sends(field)) {
            g.writeNumberField(dialect.name(field), value.getAsDouble());
        }
    }

    private static void integer(JsonGenerator g, OpenAiDialect dialect, String field, OptionalInt value)
            throws IOException {
        if (value.isPresent() && dialect.sends(field)) {
            g.writeNumberField(dialect.name(field), value.getAsInt());
        }
    }

    private static void string(JsonGenerator g, OpenAiDialect dialect, String field, Optional<String> value)
            throws IOException {
        if (value.isPresent() && dialect.sends(field)) {
            g.writeStringField(dialect.name(field), value.get());
        }
    }
}
