package dev.veil.server.http1;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;

/**
 * A connection {@link Http1xConnectionSelector} took: once the first request line is complete, served by Helidon's
 * HTTP/1.1 connection, through an {@link Http10Context} if that line is HTTP/1.0 and directly otherwise.
 */
final class Http1xConnection implements ServerConnection, InterruptableTask<Void> {
    private final ConnectionContext context;
    private final Http1ConnectionSelector http1;
    private final Http1Config config;
    private final Instant accepted = Instant.now();
    private volatile ServerConnection served;
    private volatile Thread thread;
    private volatile boolean closed;

    Http1xConnection(ConnectionContext context, Http1ConnectionSelector http1, Http1Config config) {
        this.context = context;
        this.http1 = http1;
        this.config = config;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        thread = Thread.currentThread();
        if (closed) {
            return;
        }
        // The longest head Helidon accepts: request line, header fields, and the two line ends around them.
        int maxHeadLength = config.maxPrologueLength() + config.maxHeadersSize() + 4;
        ServerConnection connection = http1.connection(startsWithHttp10()
                ? new Http10Context(context, maxHeadLength)
                : context);
        served = connection;
        if (!closed) {
            connection.handle(limit);
        }
    }

    private boolean startsWithHttp10() {
        DataReader reader = context.dataReader();
        try {
            int end = reader.findNewLine(config.maxPrologueLength());
            return end < config.maxPrologueLength()
                    && reader.getBuffer(end).readString(end, StandardCharsets.US_ASCII).endsWith(" HTTP/1.0");
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw new CloseConnectionException("No request line before the client closed", e);
        } catch (DataReader.IncorrectNewLineException e) {
            // Not HTTP/1.0 as this translates it; Helidon's own connection answers the malformed line.
            return false;
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
        return connection == null ? Duration.between(accepted, Instant.now()) : connection.idleTime();
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
