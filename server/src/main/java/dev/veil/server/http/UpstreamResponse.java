package dev.veil.server.http;

import java.io.IOException;
import java.io.InputStream;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.ClientResponseHeaders;
import io.helidon.http.ClientResponseTrailers;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.http.media.ReadableEntity;
import io.helidon.webclient.api.ClientUri;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * An upstream's answer on one of {@link UpstreamClient}'s connections. Closing it returns the connection to the pool
 * when the body was read to its end, as Helidon does; {@link #abort} closes the connection instead, for an answer
 * that went wrong partway, whose connection is not trusted with another request.
 *
 * <p>HTTP/1.1 allows a body with neither {@code Content-Length} nor chunked coding, which ends when the server closes
 * the connection. Helidon reads such a body to that end but reports the end as a failure, not as the end of the
 * stream, and would then pool the closed connection. Here the end reads as the end of the body, and the connection is
 * never pooled. Read bodies with {@link #inputStream()}.
 */
public final class UpstreamResponse implements HttpClientResponse {
    private final HttpClientResponse response;
    private final UpstreamClient.Attempt attempt;
    private final boolean endsWithConnection;
    private InputStream body;
    private boolean closed;

    private UpstreamResponse(HttpClientResponse response, UpstreamClient.Attempt attempt,
                             boolean endsWithConnection) {
        this.response = response;
        this.attempt = attempt;
        this.endsWithConnection = endsWithConnection;
    }

    static UpstreamResponse of(HttpClientResponse response, UpstreamClient.Attempt attempt) {
        int status = response.status().code();
        ClientResponseHeaders headers = response.headers();
        boolean bodiless = status < 200 || status == Status.NO_CONTENT_204.code()
                || status == Status.NOT_MODIFIED_304.code();
        boolean endsWithConnection = !bodiless && !headers.contains(HeaderNames.CONTENT_LENGTH)
                && !headers.containsToken(HeaderValues.TRANSFER_ENCODING_CHUNKED);
        if (endsWithConnection) {
            attempt.condemn();
        }
        return new UpstreamResponse(response, attempt, endsWithConnection);
    }

    @Override
    public InputStream inputStream() {
        if (body == null) {
            body = endsWithConnection ? new BodyToEnd(response.inputStream()) : response.inputStream();
        }
        return body;
    }

    /** Helidon's entity, unless the body ends with the connection: its entity would report that end as a failure. */
    @Override
    public ReadableEntity entity() {
        if (endsWithConnection) {
            throw new UnsupportedOperationException("a body that ends with its connection is read with "
                    + "inputStream()");
        }
        return response.entity();
    }

    @Override
    public Status status() {
        return response.status();
    }

    @Override
    public ClientResponseHeaders headers() {
        return response.headers();
    }

    @Override
    public ClientResponseTrailers trailers() {
        return response.trailers();
    }

    @Override
    public ClientUri lastEndpointUri() {
        return response.lastEndpointUri();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            response.close();
            attempt.finish();
        }
    }

    /** Closes the answer and its connection, however much of the body was read. */
    public void abort() {
        if (!closed) {
            attempt.condemn();
            close();
        }
    }

    /** The body up to the connection's end, which Helidon's reader signals with an exception. */
    private static final class BodyToEnd extends InputStream {
        private final InputStream in;
        private boolean ended;

        BodyToEnd(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (ended) {
                return -1;
            }
            try {
                return in.read();
            } catch (DataReader.InsufficientDataAvailableException e) {
                ended = true;
                return -1;
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (ended) {
                return -1;
            }
            try {
                return in.read(buffer, offset, length);
            } catch (DataReader.InsufficientDataAvailableException e) {
                ended = true;
                return -1;
            }
        }

        /** Helidon's stream would read on to find an end it has already met; closing the answer closes all. */
        @Override
        public void close() {
            ended = true;
        }
    }
}
