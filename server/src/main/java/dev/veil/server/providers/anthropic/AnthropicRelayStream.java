package dev.veil.server.providers.anthropic;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamErrorEvent;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.http.SseFrames;
import dev.veil.server.http.SseReader;
import dev.veil.server.http.UpstreamEvents;
import dev.veil.server.http.UpstreamHttp;
import dev.veil.server.http.UpstreamResponse;
import dev.veil.spi.ChatChunk;

/**
 * An Anthropic stream relayed byte for byte: each upstream event goes to the client as it arrived, flushed on its
 * own, while a copy is read into canonical chunks for usage, audit and telemetry. Events read before the client's
 * output is {@linkplain #attach attached} (those up to the first chunk, read while dispatch may still fail over) wait
 * until it is. The final {@code message_stop} is held back until {@link #finish}, so that whatever must happen
 * before the end of the stream (the audit record, in sync mode) happens before the client sees it.
 */
public final class AnthropicRelayStream implements ChatStream {
    private final String provider;
    private final UpstreamHttp http;
    private final UpstreamResponse response;
    private final SseFrames frames;
    private final AnthropicStreamTranslator translator;
    private final List<byte[]> waiting = new ArrayList<>();
    private Optional<ChatChunk> first = Optional.empty();
    private OutputStream out;
    private byte[] last;
    private boolean errorRelayed;

    AnthropicRelayStream(String provider, UpstreamHttp http, UpstreamResponse response, InstantSource clock) {
        this.provider = provider;
        this.translator = new AnthropicStreamTranslator(clock.instant().getEpochSecond());
        this.http = http;
        this.response = response;
        this.frames = http.frames(response);
    }

    /** Reads up to the first chunk, so that a provider failing before any output can still be replaced. */
    void prime() throws UpstreamException {
        first = read();
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
     * Sends the held-back {@code message_stop}, once the stream has ended.
     *
     * @throws UncheckedIOException when the client has gone
     */
    public void finish() {
        if (last != null) {
            emit(last);
            last = null;
        }
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
                // A stream that ends before message_stop was cut off.
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
                emit(frame);
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
     * After {@code message_stop} only the end of the body remains; reading it keeps the connection pooled. A stream
     * that ended any other way, cut off, failed or abandoned, closes its connection.
     */
    @Override
    public void close() {
        UpstreamEvents.release(provider, response, frames, translator.ended(), "message_stop");
    }
}
