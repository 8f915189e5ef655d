package dev.veil.server.api;

import dev.veil.server.wire.OpenAiRequests;
import dev.veil.server.wire.OpenAiWriter;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code POST /v1/embeddings}: the OpenAI embeddings surface of the {@link Pipeline}. */
public final class EmbeddingsEndpoint implements Pipeline.EmbeddingsSurface {
    static final String SURFACE = "openai.embeddings";

    private final Gateway gateway;

    public EmbeddingsEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public String name() {
        return SURFACE;
    }

    @Override
    public Caller authenticate(ServerRequest request) {
        return gateway.authenticator().authenticate(request.headers().first(HeaderNames.AUTHORIZATION));
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

    @Override
    public void fail(ServerResponse response, VeilException error) {
        ErrorResponder.send(response, error);
    }
}
