package dev.veil.server.api.openai;

import dev.veil.server.auth.Principal;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.Pipeline;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** What every OpenAI surface shares: a Bearer key, and OpenAI's error shape. */
abstract class OpenAiSurface<R> implements Pipeline.Surface<R> {
    final Gateway gateway;

    OpenAiSurface(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public Principal authenticate(ServerRequest request) {
        return gateway.authenticator().principal(request.headers().first(HeaderNames.AUTHORIZATION));
    }

    @Override
    public void fail(ServerResponse response, VeilException error) {
        ErrorResponder.send(response, error);
    }
}
