package dev.veil.server.compat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.testing.FakeOpenAiUpstream;

/** Fake upstream behaviours the client compatibility tests need beyond {@link FakeOpenAiUpstream}'s own. */
final class CompatUpstream {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CompatUpstream() {
    }

    /**
     * Answers an embeddings request with {@code vector} for every input, as a JSON float array or, when the request
     * asks for {@code encoding_format: base64}, as OpenAI's base64 of little-endian float32 values.
     */
    static FakeOpenAiUpstream.Behavior embeddings(float... vector) {
        return exchange -> {
            boolean base64 = "base64".equals(exchange.body().path("encoding_format").asText());
            int inputs = exchange.body().path("input").isArray() ? exchange.body().path("input").size() : 1;
            ObjectNode body = JSON.createObjectNode();
            body.put("object", "list");
            ArrayNode data = body.putArray("data");
            for (int i = 0; i < inputs; i++) {
                ObjectNode item = data.addObject();
                item.put("object", "embedding");
                item.put("index", i);
                if (base64) {
                    ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    for (float value : vector) {
                        buffer.putFloat(value);
                    }
                    item.put("embedding", Base64.getEncoder().encodeToString(buffer.array()));
                } else {
                    ArrayNode values = item.putArray("embedding");
                    for (float value : vector) {
                        values.add(value);
                    }
                }
            }
            body.put("model", exchange.body().path("model").asText());
            body.putObject("usage").put("prompt_tokens", 3).put("total_tokens", 3);
            exchange.json(200, body);
        };
    }
}
