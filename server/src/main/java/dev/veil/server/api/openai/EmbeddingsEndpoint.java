package dev.veil.server.api.openai;

import dev.veil.server.codec.openai.OpenAiRequests;
import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;

/** {@code POST /v1/embeddings}: the OpenAI embeddings surface of the {@link Pipeline}. */
public final class EmbeddingsEndpoint extends OpenAiSurface<EmbeddingsRequest>
        implements Pipeline.EmbeddingsSurface {
    static final String SURFACE = "openai.embeddings";

    public EmbeddingsEndpoint(Gateway gateway) {
        super(gateway);
    }

    @Override
    public String name() {
        return SURFACE;
    }

    @Override
    public EmbeddingsRequest parse(byte[] body) {
        return OpenAiRequests.embeddings(body);
    }

    @Override
    public void answer(ServerResponse response, EmbeddingsResponse answer) {
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(OpenAiWriter.embeddingsResponse(answer));
    }
}
