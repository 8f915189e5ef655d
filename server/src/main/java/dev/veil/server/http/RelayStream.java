package dev.veil.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.UpstreamException;
import dev.veil.spi.ChatChunk;

/**
 * An upstream stream relayed byte for byte (the Anthropic Messages, OpenAI chat and Responses passthroughs): each
 * upstream event goes to the client as it arrived, flushed on its own, while a copy is read into canonical chunks for
 * usage, audit and telemetry. Events read before the client's output is {@linkplain #attach attached} (those up to the
 * first chunk, read while dispatch may still fail over) wait until it is. The event that ends the stream is held back
 * until {@link #finish}, so that whatever must happen before the end of the stream (the audit record, in sync mode)
 * happens before the client sees it.
 */
public final class RelayStream implements ChatStream {
    /** Reads one wire family's events into canonical chunks. */
    public interface Translator {
        /** The chunk one event adds, or empty when it adds nothing. */
        Optional<ChatChunk> translate(SseReader.Event event) throws MalformedUpstreamException, UpstreamErrorEvent;

        /** Whether the event that ends the stream has arrived. */
        boolean ended();

        /** The name of that event, for the log of a connection that could not be reused. */
        String endEvent();

        /**
         * What the client gets of the event just {@linkplain #translate translated}, which did not end the stream:
         * {@code frame} as it came, unless the surface must not show all of it (OpenAI's usage event, which only a
         * client that asked for usage sees), then other bytes or none.
         */
        default Optional<byte[]> relayed(byte[] frame) {
            return Optional.of(frame);
        }
    }

    private final String provider;
    private final UpstreamHttp http;
    private final UpstreamResponse response;
    private final SseFrames frames;
    private final Translator translator;
    private final List<byte[]> waiting = new ArrayList<>();
    private Optional<ChatChunk> first = Optional.empty();
    private OutputStream out;
    private byte[] last;
    private boolean errorRelayed;

    private RelayStream(String provider, UpstreamHttp http, UpstreamResponse response, Translator translator) {
        this.provider = provider;
        this.translator = translator;
        this.http = http;
        this.response = response;
        this.frames = http.frames(response);
    }

    /**
     * The relay of {@code response}'s events, returned once the first event that carries content has arrived, so that
     * a provider failing before any output can still be replaced; closes the response when it cannot return.
     */
    public static RelayStream open(String provider, UpstreamHttp http, UpstreamResponse response,
                                   Translator translator) throws UpstreamException {
        RelayStream stream = new RelayStream(provider, http, response, translator);
        try {
            stream.first = stream.read();
            return stream;
        } catch (UpstreamException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /**
     * Sends the client the events read so far and every later one as it arrives.
     *
     * @throws UncheckedIOException when the client has gone
     */
    public void attach(OutputStream client) {
        this.out = client;
        try {
            for (byte[] frame : waiting) {
                client.write(frame);
            }
            waiting.clear();
            client.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends the held-back last event, once the stream has ended.
     *
     * @throws UncheckedIOException when the client has gone
     */
    public void finish() {
        if (last != null) {
            emit(last);
            last = null;
        }
    }

    /** The held-back last event, as it came, until {@link #finish} sends it. */
    public Optional<byte[]> lastEvent() {
        return Optional.ofNullable(last);
    }

    /** Whether the upstream's own {@code error} event already reached the client, so no other may follow. */
    public boolean errorRelayed() {
        return errorRelayed;
    }

    @Override
    public Optional<ChatChunk> next() throws UpstreamException {
        if (first.isPresent()) {
            Optional<ChatChunk> chunk = first;
            first = Optional.empty();
            return chunk;
        }
        return read();
    }

    private Optional<ChatChunk> read() throws UpstreamException {
        while (!translator.ended()) {
            byte[] frame;
            Optional<SseReader.Event> event;
            try {
                frame = frames.next();
                event = frame == null ? Optional.empty() : SseFrames.parse(frame);
            } catch (IOException | RuntimeException e) {
                throw http.classify(e);
            }
            if (frame == null) {
                // A stream that ends before its last event was cut off.
                throw UpstreamException.broken(provider, null);
            }
            Optional<ChatChunk> chunk;
            try {
                chunk = event.isEmpty() ? Optional.empty() : translator.translate(event.get());
            } catch (UpstreamErrorEvent e) {
                emit(frame);
                errorRelayed = out != null;
                throw UpstreamException.reported(provider, Optional.of(e.error()));
            } catch (MalformedUpstreamException e) {
                throw UpstreamException.malformed(provider, e.getMessage());
            }
            if (translator.ended()) {
                last = frame;
            } else {
                translator.relayed(frame).ifPresent(this::emit);
            }
            if (chunk.isPresent()) {
                return chunk;
            }
        }
        return Optional.empty();
    }

    private void emit(byte[] frame) {
        if (out == null) {
            waiting.add(frame);
            return;
        }
        try {
            out.write(frame);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * After the last event only the end of the body remains; reading it keeps the connection pooled. A stream that
     * ended any other way, cut off, failed or abandoned, closes its connection.
     */
    @Override
    public void close() {
        UpstreamEvents.release(provider, response, frames, translator.ended(), translator.endEvent());
    }
}
