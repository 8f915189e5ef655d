package dev.veil.server.listener;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;

/**
 * A connection {@link Http1xConnectionSelector} took: read under the client timeouts from its first byte and, once
 * the first request line is complete, served by Helidon's HTTP/1.1 connection, translated if that line is HTTP/1.0.
 */
final class Http1xConnection implements ServerConnection, InterruptableTask<Void> {
    private final ConnectionContext context;
    private final Http1xConnectionSelector selector;
    private final long accepted;
    private volatile ServerConnection served;
    private volatile Thread thread;
    private volatile boolean closed;

    Http1xConnection(ConnectionContext context, Http1xConnectionSelector selector) {
        this.context = context;
        this.selector = selector;
        this.accepted = selector.ticker().nanos();
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        thread = Thread.currentThread();
        if (closed) {
            return;
        }
        selector.serving(this);
        try {
            serve(limit);
        } finally {
            selector.served(this);
        }
    }

    private void serve(Limit limit) throws InterruptedException {
        ClientReads reads = selector.reads(context);
        selector.deadlines().add(reads);
        try {
            boolean http10 = startsWithHttp10(reads.reader());
            ClientContext client = http10
                    ? ClientContext.http10(context, this, reads, selector.maxHeadLength(), selector.maxBodyBytes())
                    : ClientContext.http11(context, this, reads);
            ServerConnection connection = selector.http1().connection(client);
            reads.servedBy(connection, http10);
            served = connection;
            if (!closed) {
                connection.handle(limit);
            }
        } finally {
            if (!closed) {
                reads.lingerBeforeClose();
            }
            selector.deadlines().remove(reads);
        }
    }

    private boolean startsWithHttp10(DataReader reader) {
        int maxLine = selector.maxPrologueLength();
        try {
            int end = reader.findNewLine(maxLine);
            return end < maxLine
                    && reader.getBuffer(end).readString(end, StandardCharsets.US_ASCII).endsWith(" HTTP/1.0");
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw new CloseConnectionException("No request line before the client closed", e);
        } catch (DataReader.IncorrectNewLineException e) {
            // Not HTTP/1.0 as this translates it; Helidon's own connection answers the malformed line.
            return false;
        }
    }

    /**
     * Ends the connection once the response being written is complete: it said {@code Connection: close}, which
     * Helidon's connection sends but does not act on.
     */
    void endAfterResponse() {
        ServerConnection connection = served;
        // While a request line is read, Helidon's close would interrupt this very thread before its answer is
        // written; an answer then can only be to a request line that failed, after which the connection ends anyway.
        if (connection != null && !canInterrupt()) {
            connection.close(false);
        }
    }

    @Override
    public boolean canInterrupt() {
        ServerConnection connection = served;
        return connection == null || connection instanceof InterruptableTask<?> task && task.canInterrupt();
    }

    @Override
    public Duration idleTime() {
        ServerConnection connection = served;
        return connection == null ? Duration.ofNanos(selector.ticker().nanos() - accepted) : connection.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
        closed = true;
        ServerConnection connection = served;
        if (connection != null) {
            connection.close(interrupt);
        } else if (thread != null) {
            // Still waiting for the first request line: nothing is in progress.
            thread.interrupt();
        }
    }
}
