package dev.veil.server.api.anthropic;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.codec.anthropic.AnthropicStreamWriter;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.pipeline.SseRelay;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.VeilException;
import io.helidon.webserver.http.ServerResponse;

/**
 * Relays a canonical stream to the client as Anthropic's named server-sent events, each flushed as it is written.
 * A stream that fails after it started ends with an {@code error} event and no {@code message_stop}, so SDKs raise
 * instead of presenting a truncated answer as complete. A client that goes away closes the upstream stream, which
 * aborts the provider call.
 */
final class AnthropicSseRelay {
    private static final Logger LOGGER = Logger.getLogger(AnthropicSseRelay.class.getName());

    private AnthropicSseRelay() {
    }

    static SseRelay.Relayed relay(ServerResponse response, ChatStream stream, String requestId) {
        SseRelay.headers(response);
        AnthropicStreamWriter writer = new AnthropicStreamWriter();
        try (stream; OutputStream out = response.outputStream()) {
            try {
                for (Optional<ChatChunk> next = stream.next(); next.isPresent(); next = stream.next()) {
                    write(out, writer.onChunk(next.get()));
                }
            } catch (UpstreamException e) {
                LOGGER.log(Level.WARNING, () -> "provider " + e.provider() + " failed mid-stream (" + e.summary()
                        + "); the client got an error event");
                VeilException error = e.toClientError();
                write(out, List.of(AnthropicStreamWriter.error(error, requestId)));
                return new SseRelay.Relayed(writer.usage(), Optional.of(error), false);
            } catch (VeilException e) {
                write(out, List.of(AnthropicStreamWriter.error(e, requestId)));
                return new SseRelay.Relayed(writer.usage(), Optional.of(e), false);
            }
            write(out, writer.onEnd());
            return new SseRelay.Relayed(writer.usage(), Optional.empty(), false);
        } catch (IOException | UncheckedIOException e) {
            LOGGER.log(Level.FINE, "client went away mid-stream; upstream call aborted");
            return new SseRelay.Relayed(writer.usage(), Optional.empty(), true);
        }
    }

    private static void write(OutputStream out, List<byte[]> frames) throws IOException {
        if (frames.isEmpty()) {
            return;
        }
        for (byte[] frame : frames) {
            out.write(frame);
        }
        out.flush();
    }
}
