package dev.veil.server.policy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.veil.server.accounting.Price;
import dev.veil.server.accounting.PriceTable;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.TargetRef;
import dev.veil.server.providers.ProviderRegistry;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.ToolDefinition;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;

/**
 * Writes the policy input document, version 1 (docs/policy.md): who asks, on which surface, for what, with which PII
 * finding counts, and which candidates could answer. It never holds prompt content, PII values or keys.
 */
final class PolicyInput {
    static final int VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();

    private final ProviderRegistry providers;
    private final PriceTable prices;

    PolicyInput(ProviderRegistry providers, PriceTable prices) {
        this.providers = providers;
        this.prices = prices;
    }

    byte[] chat(ChatRequest request, List<TargetRef> candidates, Exchange exchange) {
        long characters = 0;
        for (ChatMessage message : request.messages()) {
            characters += message.text().length();
        }
        long estimate = estimateTokens(characters);
        return write(exchange, candidates, g -> {
            g.writeStringField("model", request.model());
            g.writeBooleanField("stream", request.stream());
            if (request.sampling().outputTokenLimit().isPresent()) {
                g.writeNumberField("max_tokens", request.sampling().outputTokenLimit().getAsInt());
            }
            g.writeArrayFieldStart("tools");
            for (ToolDefinition tool : request.tools()) {
                g.writeString(tool.isFunction() ? tool.name() : tool.type());
            }
            g.writeEndArray();
            g.writeNumberField("estimated_input_tokens", estimate);
            if (exchange.get(ConversationRequest.KEY).isPresent()) {
                ConversationRequest conversation = exchange.get(ConversationRequest.KEY).get();
                g.writeObjectFieldStart("conversation");
                g.writeBooleanField("store", conversation.store());
                g.writeBooleanField("continues", conversation.continues());
                g.writeEndObject();
            }
        });
    }

    byte[] embeddings(EmbeddingsRequest request, List<TargetRef> candidates, Exchange exchange) {
        long characters = request.input() instanceof EmbeddingInput.Texts texts
                ? texts.texts().stream().mapToLong(String::length).sum() : 0;
        return write(exchange, candidates, g -> {
            g.writeStringField("model", request.model());
            g.writeBooleanField("stream", false);
            g.writeNumberField("inputs", request.input().size());
            g.writeNumberField("estimated_input_tokens", estimateTokens(characters));
        });
    }

    /** About four characters a token: good enough for limits, and no tokenizer on the request path. */
    private static long estimateTokens(long characters) {
        return (characters + 3) / 4;
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] write(Exchange exchange, List<TargetRef> candidates, Fields requestFields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("version", VERSION);
            g.writeStringField("surface", exchange.surface());
            g.writeObjectFieldStart("principal");
            g.writeStringField("key_id", exchange.caller().keyId());
            g.writeStringField("tenant", exchange.caller().tenant());
            g.writeStringField("team", exchange.caller().team());
            stringMap(g, "labels", exchange.caller().labels());
            if (exchange.caller().user().isPresent()) {
                g.writeStringField("user", exchange.caller().user().get());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("request");
            requestFields.write(g);
            stringMap(g, "metadata", exchange.metadata());
            g.writeEndObject();
            g.writeObjectFieldStart("pii");
            Map<String, Integer> findings = exchange.get(Attributes.PII_FINDINGS).map(pii -> pii.counts())
                    .orElse(Map.of());
            for (Map.Entry<String, Integer> finding : findings.entrySet()) {
                g.writeNumberField(finding.getKey(), finding.getValue());
            }
            g.writeEndObject();
            g.writeBooleanField("zero_retention", exchange.get(Attributes.ZERO_RETENTION).orElse(false));
            g.writeArrayFieldStart("candidates");
            for (TargetRef candidate : candidates) {
                g.writeStartObject();
                g.writeStringField("provider", candidate.provider());
                g.writeStringField("model", candidate.model());
                ProviderConfig provider = providers.get(candidate.provider()).map(ProviderRegistry.Provider::config)
                        .orElseThrow();
                g.writeStringField("kind", provider.kind().configName());
                if (provider.region().isPresent()) {
                    g.writeStringField("region", provider.region().get());
                } else {
                    g.writeNullField("region");
                }
                g.writeBooleanField("zero_retention", provider.zeroRetention());
                Price price = prices.price(candidate.provider(), candidate.model());
                if (!price.equals(Price.FREE)) {
                    g.writeObjectFieldStart("price");
                    g.writeNumberField("input", price.input());
                    g.writeNumberField("output", price.output());
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void stringMap(JsonGenerator g, String name, Map<String, String> map) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, String> entry : map.entrySet()) {
            g.writeStringField(entry.getKey(), entry.getValue());
        }
        g.writeEndObject();
    }
}
