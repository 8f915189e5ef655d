package dev.veil.server.api.responses;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.responses.ResponsesStreamWriter;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.pipeline.SseRelay;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.VeilException;
import io.helidon.webserver.http.ServerResponse;

/**
 * Relays a canonical stream to the client as the Responses API's server-sent events, each flushed as it is written.
 * The completed response is handed to {@code completed} (which keeps it) before its {@code response.completed}
 * event is written, so a client that starts its next turn at once finds it. A stream that fails after it started
 * ends with {@code response.failed} and never {@code response.completed}, so SDKs raise instead of presenting a
 * truncated answer as complete; a client that goes away closes the upstream stream, which aborts the provider call.
 */
final class ResponsesSseRelay {
    private static final Logger LOGGER = Logger.getLogger(ResponsesSseRelay.class.getName());

    private ResponsesSseRelay() {
    }

    static SseRelay.Relayed relay(ServerResponse response, ChatStream stream, ResponsesStreamWriter writer,
                                  Consumer<ObjectNode> completed) {
        SseRelay.headers(response);
        try (stream; OutputStream out = response.outputStream()) {
            try {
                for (Optional<ChatChunk> next = stream.next(); next.isPresent(); next = stream.next()) {
                    write(out, writer.onChunk(next.get()));
                }
            } catch (UpstreamException e) {
                LOGGER.log(Level.WARNING, () -> "provider " + e.provider() + " failed mid-stream (" + e.summary()
                        + "); the client got a response.failed event");
                VeilException error = e.toClientError();
                write(out, List.of(writer.failed(error)));
                return new SseRelay.Relayed(writer.usage(), Optional.of(error), false);
            } catch (VeilException e) {
                write(out, List.of(writer.failed(e)));
                return new SseRelay.Relayed(writer.usage(), Optional.of(e), false);
            }
            List<byte[]> end = writer.onEnd();
            Optional<VeilException> unkept = ConversationTurn.keeping(() -> completed.accept(writer.finalResponse()));
            if (unkept.isPresent()) {
                write(out, List.of(writer.failed(unkept.get())));
                return new SseRelay.Relayed(writer.usage(), unkept, false);
            }
            write(out, end);
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
