package dev.veil.server.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.http.SseFrames;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * Relays a canonical stream to the client as OpenAI server-sent events, each flushed as it arrives.
 *
 * <p>Usage is always requested upstream (accounting needs it) but reaches the client only as OpenAI sends it: one
 * final event with no choices, and only when the client asked with {@code stream_options.include_usage}. A stream
 * that fails after output has started ends with an error event and no {@code [DONE]}, so SDKs raise an error instead
 * of presenting a truncated answer as complete. A client that goes away closes the upstream stream, which aborts
 * the provider call.
 */
public final class SseRelay {
    private static final Logger LOGGER = Logger.getLogger(SseRelay.class.getName());
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseRelay() {
    }

    /**
     * How the relay ended.
     *
     * @param usage the usage the upstream reported, whether or not the client asked for it
     * @param error the failure that ended the stream early, if one did
     * @param clientGone whether the client went away before the end
     */
    public record Relayed(Optional<Usage> usage, Optional<VeilException> error, boolean clientGone) {
    }

    /** The headers of every event stream: its type, no caching, and no buffering by a proxy in front of Veil. */
    public static void headers(ServerResponse response) {
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        response.header(HeaderNames.create("X-Accel-Buffering"), "no");
    }

    public static Relayed relay(ServerResponse response, ChatStream stream, boolean includeUsage) {
        headers(response);
        Usage usage = null;
        try (stream; OutputStream out = response.outputStream()) {
            ChatChunk last = null;
            try {
                for (Optional<ChatChunk> next = stream.next(); next.isPresent(); next = stream.next()) {
                    ChatChunk chunk = next.get();
                    last = chunk;
                    if (chunk.usage().isPresent()) {
                        usage = chunk.usage().get();
                        chunk = chunk.withoutUsage();
                        if (chunk.choices().isEmpty()) {
                            continue;
                        }
                    }
                    event(out, OpenAiWriter.chatChunk(chunk));
                }
            } catch (UpstreamException e) {
                LOGGER.log(Level.WARNING, () -> "provider " + e.provider() + " failed mid-stream (" + e.summary()
                        + "); the client got an error event");
                VeilException error = e.toClientError();
                event(out, OpenAiWriter.error(error));
                return new Relayed(Optional.ofNullable(usage), Optional.of(error), false);
            } catch (VeilException e) {
                event(out, OpenAiWriter.error(e));
                return new Relayed(Optional.ofNullable(usage), Optional.of(e), false);
            }
            if (includeUsage && usage != null) {
                event(out, OpenAiWriter.chatChunk(last.withChoices(List.of()).withUsage(usage)));
            }
            out.write(DONE);
            out.flush();
            return new Relayed(Optional.ofNullable(usage), Optional.empty(), false);
        } catch (IOException | UncheckedIOException e) {
            LOGGER.log(Level.FINE, "client went away mid-stream; upstream call aborted");
            return new Relayed(Optional.ofNullable(usage), Optional.empty(), true);
        }
    }

    private static void event(OutputStream out, byte[] json) throws IOException {
        out.write(SseFrames.data(json));
        out.flush();
    }
}
