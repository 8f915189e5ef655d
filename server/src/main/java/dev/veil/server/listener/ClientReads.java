package dev.veil.server.listener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.veil.server.config.ClientTimeouts;
import dev.veil.server.core.Ticker;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.spi.ServerConnection;

/**
 * Everything one connection reads from its client, under the deadline of what is being read (the timeouts of
 * {@link ClientTimeouts}): the wait for a request, a request's head, its body. Helidon's connection reads through
 * {@link #reader()}; which of the three it is reading follows from where it is in the request (told by
 * {@link Http1xConnectionSelector}'s listeners) and whether it is reading a request line.
 *
 * <p>A read past its deadline ends as the client should hear it: waiting for a request, the connection is closed
 * without an answer; in a head, with a 408; in a body, the handler's read fails with a {@link ClientReadException}
 * (408), which it answers. On HTTP/1.1 a chunked body's framing is followed as it arrives, so that a broken one fails
 * the read at once (400) instead of leaving the connection waiting for a chunk that will never come; chunks declaring
 * more than a request may carry fail it too (413), before their data is buffered. After any such failure the
 * connection is not read again.
 *
 * <p>All state but the deadline belongs to the connection's thread, which is the only one that reads.
 */
final class ClientReads implements Supplier<byte[]> {
    private static final long NOT_READING = Long.MAX_VALUE;
    private static final long EXPIRED = Long.MIN_VALUE;
    private static final long NONE = Long.MIN_VALUE;
    private static final VarHandle DEADLINE;
    private static final long LINGER_NANOS = Duration.ofSeconds(2).toNanos();
    private static final long LINGER_BYTES = 1 << 20;

    static {
        try {
            DEADLINE = MethodHandles.lookup().findVarHandle(ClientReads.class, "deadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private enum Phase { IDLE, HEAD, BODY }

    private final HelidonSocket socket;
    private final SocketChannel channel;
    private final DataWriter writer;
    private final ClientTimeouts timeouts;
    private final long headerNanos;
    private final long bodyIdleNanos;
    private final long bodyNanos;
    private final long idleNanos;
    /** Whether the server is stopping: then the connection ends rather than wait for another request. */
    private final BooleanSupplier draining;
    private final long maxBodyBytes;
    private final ProtocolErrors errors;
    private final Ticker ticker;
    private final DataReader reader;
    private byte[] carried;
    private byte[] last = new byte[0];
    private ServerConnection served;
    private boolean translated;

    @SuppressWarnings("unused") // through DEADLINE
    private volatile long deadline = NOT_READING;
    private long requestStart = NONE;
    private long bodyStart = NONE;
    private ChunkedBody chunks;
    private HttpPrologue requestLine;
    private ClientReadException failure;
    private boolean failureThrown;
    private boolean closeAsked;

    /**
     * @param socket       the connection's socket, read directly
     * @param channel      its channel, whose input is shut when a deadline passes
     * @param writer       the connection's writer, for the 408 of a head that did not arrive in time
     * @param carried      bytes already read from the socket before this took over (usually none)
     * @param maxBodyBytes the most data a chunked body may declare
     * @param ticker       what deadlines are set on
     */
    ClientReads(HelidonSocket socket, SocketChannel channel, DataWriter writer, byte[] carried,
                ClientTimeouts timeouts, long maxBodyBytes, ProtocolErrors errors, Ticker ticker,
                BooleanSupplier draining) {
        this.draining = draining;
        this.socket = socket;
        this.channel = channel;
        this.writer = writer;
        this.carried = carried.length == 0 ? null : carried;
        this.timeouts = timeouts;
        this.headerNanos = timeouts.header().toNanos();
        this.bodyIdleNanos = timeouts.bodyIdle().toNanos();
        this.bodyNanos = timeouts.body().toNanos();
        this.idleNanos = timeouts.idle().toNanos();
        this.maxBodyBytes = maxBodyBytes;
        this.errors = errors;
        this.ticker = ticker;
        this.reader = DataReader.create(this);
    }

    /** What Helidon's connection, or the HTTP/1.0 translator under it, reads. */
    DataReader reader() {
        return reader;
    }

    /** From now on, {@code connection} serves the requests: it says when a request line is being read. */
    void servedBy(ServerConnection connection, boolean throughTranslator) {
        this.served = connection;
        this.translated = throughTranslator;
    }

    /** Helidon read a request line. */
    void requestLine(HttpPrologue prologue) {
        requestLine = prologue;
    }

    /** Helidon read a request's header section: what follows, until the next request line, is its body. */
    void headComplete(Headers headers) {
        requestStart = NONE;
        bodyStart = ticker.nanos();
        chunks = null;
        closeAsked = headers.containsToken(HeaderValues.CONNECTION_CLOSE);
        // The HTTP/1.0 translator follows its own chunked bodies.
        if (!translated && headers.contains(HeaderNames.TRANSFER_ENCODING)) {
            chunks = new ChunkedBody(maxBodyBytes);
            // Body bytes that came with the head are in the reader already: the end of the last bytes read.
            int arrived = reader.available();
            if (arrived > last.length) {
                chunks = null;
            } else if (arrived > 0) {
                follow(last, last.length - arrived, arrived);
            }
        }
    }

    /** Whether the request being served asked to close the connection after its response. */
    boolean closeAsked() {
        return closeAsked;
    }

    @Override
    public byte[] get() {
        Phase phase = phase();
        if (failure != null) {
            if (phase == Phase.BODY && !failureThrown) {
                failureThrown = true;
                throw failure;
            }
            throw new CloseConnectionException("Not reading past a failed request body");
        }
        if (carried != null) {
            return arrived(phase, take());
        }
        if (phase == Phase.IDLE && draining.getAsBoolean()) {
            throw new CloseConnectionException("Veil is shutting down");
        }
        long now = ticker.nanos();
        long idleLimit = now + (phase == Phase.IDLE ? idleNanos : bodyIdleNanos);
        long limit = switch (phase) {
            case IDLE -> idleLimit;
            case HEAD -> requestStart + headerNanos;
            case BODY -> Math.min(idleLimit, bodyStart + bodyNanos);
        };
        boolean idleBound = limit == idleLimit;
        if (limit - now <= 0) {
            throw expired(phase, idleBound);
        }
        DEADLINE.setVolatile(this, limit);
        byte[] bytes;
        try {
            bytes = socket.get();
        } catch (UncheckedIOException e) {
            if ((long) DEADLINE.getAndSet(this, NOT_READING) == EXPIRED) {
                throw expired(phase, idleBound);
            }
            throw new ServerConnectionException("Failed to get data from socket", e);
        }
        if ((long) DEADLINE.getAndSet(this, NOT_READING) == EXPIRED) {
            throw expired(phase, idleBound);
        }
        return bytes == null ? null : arrived(phase, bytes);
    }

    /**
     * Ends the connection's output, then reads and drops what the client still sends, for a short while: closing a
     * socket with unread bytes in it resets the connection, and a client still sending a request Veil refused (a
     * header section too large, a body it did not read) could lose the answer that says why.
     */
    void lingerBeforeClose() {
        try {
            channel.shutdownOutput();
        } catch (IOException | RuntimeException e) {
            return;
        }
        long end = ticker.nanos() + LINGER_NANOS;
        long dropped = 0;
        while (dropped < LINGER_BYTES && end - ticker.nanos() > 0) {
            DEADLINE.setVolatile(this, end);
            byte[] bytes;
            try {
                bytes = carried != null ? take() : socket.get();
            } catch (RuntimeException e) {
                return;
            } finally {
                DEADLINE.setVolatile(this, NOT_READING);
            }
            if (bytes == null) {
                return;
            }
            dropped += bytes.length;
        }
    }

    /** Called by {@link ReadDeadlines}: ends the current read if its deadline has passed. */
    void expireIfOverdue(long now) {
        long current = (long) DEADLINE.getVolatile(this);
        if (current != NOT_READING && current != EXPIRED && now - current >= 0
                && DEADLINE.compareAndSet(this, current, EXPIRED)) {
            shutInput();
        }
    }

    private byte[] arrived(Phase phase, byte[] bytes) {
        last = bytes;
        if (phase == Phase.IDLE) {
            requestStart = ticker.nanos();
        } else if (phase == Phase.BODY && chunks != null) {
            follow(bytes, 0, bytes.length);
            if (failure != null) {
                failureThrown = true;
                throw failure;
            }
        }
        return bytes;
    }

    /** Follows chunked framing over {@code length} bytes; a fault becomes this connection's failure. */
    private void follow(byte[] bytes, int offset, int length) {
        try {
            chunks.read(bytes, offset, length, (data, from, count) -> {
            });
            if (chunks.ended()) {
                chunks = null;
            }
        } catch (ChunkedBody.TooLarge e) {
            fail(new ClientReadException(413, "the request body's chunks declare more than "
                    + "veil.limits.max-request-bytes allows"));
        } catch (IllegalArgumentException e) {
            fail(new ClientReadException(400, "the request body's chunked framing is malformed ("
                    + e.getMessage().toLowerCase(java.util.Locale.ROOT) + ")"));
        }
    }

    private void fail(ClientReadException readFailure) {
        failure = readFailure;
        chunks = null;
        shutInput();
    }

    private RuntimeException expired(Phase phase, boolean idleBound) {
        shutInput();
        return switch (phase) {
            case IDLE -> new CloseConnectionException("No request within veil.limits.idle-timeout");
            case HEAD -> {
                errors.headTimedOut(writer, path(), "Veil did not receive the request's header section within "
                        + "veil.limits.header-timeout (" + text(timeouts.header()) + ")");
                yield new CloseConnectionException("No complete head within veil.limits.header-timeout");
            }
            case BODY -> {
                failure = new ClientReadException(408, idleBound
                        ? "the request body stopped arriving: no byte came within veil.limits.body-idle-timeout ("
                                + text(timeouts.bodyIdle()) + ")"
                        : "the request body did not arrive within veil.limits.body-timeout ("
                                + text(timeouts.body()) + ")");
                failureThrown = true;
                yield failure;
            }
        };
    }

    private Phase phase() {
        if (bodyStart != NONE) {
            if (!readingRequestLine()) {
                return Phase.BODY;
            }
            bodyStart = NONE;
            chunks = null;
        }
        return requestStart == NONE ? Phase.IDLE : Phase.HEAD;
    }

    private boolean readingRequestLine() {
        return served == null || served instanceof InterruptableTask<?> task && task.canInterrupt();
    }

    private Optional<String> path() {
        return requestLine == null ? Optional.empty() : Optional.of(requestLine.uriPath().path());
    }

    private byte[] take() {
        byte[] bytes = carried;
        carried = null;
        return bytes;
    }

    private void shutInput() {
        try {
            channel.shutdownInput();
        } catch (IOException | RuntimeException e) {
            // Already closed: there is nothing left to stop.
        }
    }

    private static String text(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** Unused bytes Helidon's reader had before this took over; none unless Helidon read ahead. */
    static byte[] carriedFrom(DataReader original) {
        int available = original.available();
        return available == 0 ? new byte[0] : original.readBytes(available);
    }

}
