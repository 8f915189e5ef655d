package dev.veil.server.api.anthropic;

import dev.veil.server.api.openai.ErrorResponder;
import dev.veil.server.codec.anthropic.AnthropicMessages;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.spi.VeilException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * Answers failures on the Anthropic surface in Anthropic's error shape,
 * {@code {"type":"error","error":{"type","message"},"request_id"}}, with the status {@link VeilException} carries
 * (the mapping from {@link dev.veil.spi.ErrorKind} to Anthropic's error types is in {@link AnthropicMessages}).
 */
public final class AnthropicErrorResponder {
    private AnthropicErrorResponder() {
    }

    /** Sends {@code error} unless a response has already started. */
    public static void send(ServerResponse response, VeilException error) {
        if (response.isSent()) {
            return;
        }
        String requestId = response.headers().first(VeilHeaders.REQUEST_ID).orElse(null);
        response.status(Status.create(error.status()));
        ErrorResponder.headers(response, error);
        response.send(AnthropicMessages.error(error, requestId));
    }
}
