package dev.veil.server.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.core.ChatStream;
import dev.veil.server.core.UpstreamException;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import io.helidon.webserver.http.ServerResponse;

/**
 * Relays a canonical stream to the client as a surface's named server-sent events (Anthropic's, the Responses API's),
 * each flushed as it is written. A stream that fails after it started ends with the surface's error event and never
 * its normal end, so SDKs raise instead of presenting a truncated answer as complete. A client that goes away closes
 * the upstream stream, which aborts the provider call.
 */
public final class EventRelay {
    private static final Logger LOGGER = Logger.getLogger(EventRelay.class.getName());

    /** One surface's events for one stream. */
    public interface Events {
        /** The frames one chunk adds (possibly none). */
        List<byte[]> onChunk(ChatChunk chunk);

        /** The frames that end a stream that finished normally. */
        List<byte[]> onEnd();

        /** The error event that ends a stream which failed after it started. */
        byte[] failed(VeilException error);

        /** The usage seen so far. */
        Optional<Usage> usage();

        /** Events made of a surface's stream writer's methods. */
        static Events of(Function<ChatChunk, List<byte[]>> onChunk, Supplier<List<byte[]>> onEnd,
                         Function<VeilException, byte[]> failed, Supplier<Optional<Usage>> usage) {
            return new Events() {
                @Override
                public List<byte[]> onChunk(ChatChunk chunk) {
                    return onChunk.apply(chunk);
                }

                @Override
                public List<byte[]> onEnd() {
                    return onEnd.get();
                }

                @Override
                public byte[] failed(VeilException error) {
                    return failed.apply(error);
                }

                @Override
                public Optional<Usage> usage() {
                    return usage.get();
                }
            };
        }
    }

    private EventRelay() {
    }

    /**
     * Relays {@code stream}, which it closes. {@code beforeEnd} runs once the end frames exist and before they are
     * written (a surface keeps what it must keep there); a failure it returns ends the stream instead.
     */
    public static SseRelay.Relayed relay(ServerResponse response, ChatStream stream, Events events,
                                         Supplier<Optional<VeilException>> beforeEnd) {
        SseRelay.headers(response);
        try (stream; OutputStream out = response.outputStream()) {
            try {
                for (Optional<ChatChunk> next = stream.next(); next.isPresent(); next = stream.next()) {
                    write(out, events.onChunk(next.get()));
                }
            } catch (UpstreamException e) {
                LOGGER.log(Level.WARNING, () -> "provider " + e.provider() + " failed mid-stream (" + e.summary()
                        + "); the client got an error event");
                VeilException error = e.toClientError();
                write(out, List.of(events.failed(error)));
                return new SseRelay.Relayed(events.usage(), Optional.of(error), false);
            } catch (VeilException e) {
                write(out, List.of(events.failed(e)));
                return new SseRelay.Relayed(events.usage(), Optional.of(e), false);
            }
            List<byte[]> end = events.onEnd();
            Optional<VeilException> failed = beforeEnd.get();
            if (failed.isPresent()) {
                write(out, List.of(events.failed(failed.get())));
                return new SseRelay.Relayed(events.usage(), failed, false);
            }
            write(out, end);
            return new SseRelay.Relayed(events.usage(), Optional.empty(), false);
        } catch (IOException | UncheckedIOException e) {
            LOGGER.log(Level.FINE, "client went away mid-stream; upstream call aborted");
            return new SseRelay.Relayed(events.usage(), Optional.empty(), true);
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
