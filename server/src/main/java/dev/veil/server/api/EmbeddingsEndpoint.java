package dev.veil.server.api;

import dev.veil.server.dispatch.Dispatched;
import dev.veil.server.wire.OpenAiRequests;
import dev.veil.server.wire.OpenAiWriter;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code POST /v1/embeddings}. */
public final class EmbeddingsEndpoint implements Handler {
    private final Gateway gateway;

    public EmbeddingsEndpoint(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        response.header(VeilHeaders.REQUEST_ID, RequestIds.next());
        try {
            gateway.authenticator().authenticate(request.headers().first(HeaderNames.AUTHORIZATION));
            EmbeddingsRequest embeddings = OpenAiRequests.embeddings(RequestBodies.read(request,
                    gateway.config().maxRequestBytes()));
            Dispatched<EmbeddingsResponse> dispatched = gateway.dispatcher().embeddings(embeddings,
                    gateway.resolver().resolve(embeddings.model()));
            Responses.target(response, dispatched);
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(OpenAiWriter.embeddingsResponse(dispatched.result()));
        } catch (VeilException e) {
            ErrorResponder.send(response, e);
        }
    }
}
