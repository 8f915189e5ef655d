package dev.veil.server.http;

import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import dev.veil.server.core.Ticker;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.api.WebClientConfig;
import io.helidon.webclient.http1.Http1Client;

/**
 * An HTTP/1.1 client and its keep-alive connections, pooled per host: one for all providers, one for OPA.
 *
 * <p>Veil pools the connections itself rather than leaving it to Helidon's client, which watches every idle connection
 * with a virtual thread blocked in a one-byte read: the next answer on that connection then has to wake that thread,
 * and wait for it to finish, before it can be read — a hand-off on every request that cost a quarter of a proxied
 * request's CPU and most of its latency tail (docs/benchmarks.md). Here an idle connection is not watched. A
 * connection idle for longer than the idle timeout is closed rather than used, so that one a NAT or a load balancer
 * dropped without a word is not used either.
 *
 * <p>A request is sent at most once unless it certainly never reached the server whole. Servers close keep-alive
 * connections that sat idle for a few seconds (2 s to 75 s in common ones); a request written to such a connection
 * finds its end, with no answer — exactly what a server that read the request and then died looks like, and sending
 * that request again could have a completion generated, and billed, twice. So a connection idle for longer than
 * {@link #DEFAULT_CHECK_AFTER} is checked before use, with a read that must time out at once (1 ms): one the server
 * closed is found at its end and replaced before anything was written. Under load connections are reused within
 * milliseconds and never checked. Once a request has been written, whatever then fails is the caller's failure; only
 * a request whose writing failed on a reused connection goes out again, once, on a new one.
 *
 * <p>Answers come as {@link UpstreamResponse}s, which also read a body that ends with the connection.
 */
public final class UpstreamClient implements AutoCloseable {
    /** Below the shortest keep-alive timeouts of common servers (gunicorn's 2 s; Node, uvicorn and Apache use 5 s). */
    static final Duration DEFAULT_CHECK_AFTER = Duration.ofSeconds(1);
    private static final Duration CHECK_WAIT = Duration.ofMillis(1);
    private static final int MAX_IDLE_PER_HOST = 256;
    private static final Tls NO_TLS = Tls.builder().enabled(false).build();
    private static final List<String> ALPN = List.of("http/1.1");

    private record Lease(TcpClientConnection connection, boolean reused) {
    }

    private record Endpoint(String scheme, String host, int port) {
        static Endpoint of(URI uri) {
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
            return new Endpoint(scheme, uri.getHost(), port);
        }
    }

    private record Idle(TcpClientConnection connection, long since) {
    }

    private final WebClient web;
    private final Http1Client http;
    private final long idleTimeoutNanos;
    private final long checkAfterNanos;
    private final Ticker ticker;
    private final Map<Endpoint, BlockingDeque<Idle>> pools = new ConcurrentHashMap<>();

    private UpstreamClient(WebClient web, Duration idleTimeout, Duration checkAfter, Ticker ticker) {
        this.web = web;
        this.ticker = ticker;
        this.http = web.client(Http1Client.PROTOCOL);
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.checkAfterNanos = checkAfter.toNanos();
    }

    /**
     * HTTP/1.1 is set explicitly: protocol discovery per request costs a round trip and throughput. TCP_NODELAY,
     * because a request is written as head and body, and Nagle would hold the body back for an acknowledgement.
     */
    public static UpstreamClient create(Duration connectTimeout, Duration idleTimeout) {
        return create(connectTimeout, idleTimeout, Ticker.system());
    }

    /** Timing idle connections on {@code ticker}. */
    public static UpstreamClient create(Duration connectTimeout, Duration idleTimeout, Ticker ticker) {
        return create(connectTimeout, idleTimeout, WebClient.builder(), DEFAULT_CHECK_AFTER, ticker);
    }

    /** With its own TLS settings, for servers whose certificates the JDK's trust store does not vouch for. */
    public static UpstreamClient create(Duration connectTimeout, Duration idleTimeout, Tls tls) {
        return create(connectTimeout, idleTimeout, tls, Ticker.system());
    }

    /** With its own TLS settings, timing idle connections on {@code ticker}. */
    public static UpstreamClient create(Duration connectTimeout, Duration idleTimeout, Tls tls, Ticker ticker) {
        return create(connectTimeout, idleTimeout, WebClient.builder().tls(tls), DEFAULT_CHECK_AFTER, ticker);
    }

    /** Checking idle connections before use once they sat unused for {@code checkAfter}. */
    static UpstreamClient create(Duration connectTimeout, Duration idleTimeout, Duration checkAfter) {
        return create(connectTimeout, idleTimeout, WebClient.builder(), checkAfter, Ticker.system());
    }

    /** With its own TLS settings, checking idle connections before use once they sat unused for {@code checkAfter}. */
    static UpstreamClient create(Duration connectTimeout, Duration idleTimeout, Tls tls, Duration checkAfter) {
        return create(connectTimeout, idleTimeout, WebClient.builder().tls(tls), checkAfter, Ticker.system());
    }

    private static UpstreamClient create(Duration connectTimeout, Duration idleTimeout,
                                         WebClientConfig.Builder builder, Duration checkAfter, Ticker ticker) {
        WebClient web = builder
                .socketOptions(options -> options.tcpNoDelay(true).connectTimeout(connectTimeout))
                .connectTimeout(connectTimeout)
                .followRedirects(false)
                .keepAlive(true)
                .addService(new HopByHopHeaders())
                .build();
        return new UpstreamClient(web, idleTimeout, checkAfter, ticker);
    }

    /** The client requests are built with; {@link #send} gives each its connection. */
    public Http1Client http() {
        return http;
    }

    /**
     * Sends one request on a pooled connection: {@code send} builds it on the connection it is given and submits it.
     * If writing it to a connection that had been idle fails, the server had closed that connection and cannot have
     * read the whole request, which then goes out once more on a new connection. Any other failure, a timeout or a
     * connection that ends after the request was written, is thrown as Helidon threw it, for the caller to classify:
     * the server may have read the request. Read the answer's body with {@link UpstreamResponse#inputStream()}.
     */
    public UpstreamResponse send(URI uri, Function<ClientConnection, HttpClientResponse> send) {
        Endpoint endpoint = Endpoint.of(uri);
        BlockingDeque<Idle> pool = pool(endpoint);
        Lease lease = lease(endpoint, pool);
        Attempt attempt = new Attempt(lease.connection());
        try {
            return UpstreamResponse.of(send.apply(attempt), attempt);
        } catch (RuntimeException e) {
            lease.connection().closeResource();
            if (!lease.reused() || !attempt.writeFailed) {
                throw e;
            }
            Attempt again = new Attempt(open(endpoint, pool));
            try {
                return UpstreamResponse.of(send.apply(again), again);
            } catch (RuntimeException failure) {
                again.closeResource();
                throw failure;
            }
        }
    }

    /** Whether a failure is a read or connect timeout, by the types the JDK and Helidon report one with. */
    public static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException
                    || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The most recently used idle connection that is young enough and still open, or a new one. */
    private Lease lease(Endpoint endpoint, BlockingDeque<Idle> pool) {
        long now = ticker.nanos();
        for (Idle candidate; (candidate = pool.pollFirst()) != null; ) {
            if (usable(candidate, now)) {
                closeOldestIfExpired(pool, now);
                return new Lease(candidate.connection(), true);
            }
            candidate.connection().closeResource();
        }
        return new Lease(open(endpoint, pool), false);
    }

    private boolean usable(Idle candidate, long now) {
        long idle = now - candidate.since();
        TcpClientConnection connection = candidate.connection();
        return idle < idleTimeoutNanos && connection.isConnected() && (idle < checkAfterNanos || stillOpen(connection));
    }

    /**
     * Whether the server has left an idle connection open: nothing is due on it, so a read must time out, while one
     * the server closed reads its end at once. Bytes nobody asked for mean the connection is out of step: not usable.
     * The request's own read timeout replaces the short one when it is sent.
     */
    private static boolean stillOpen(TcpClientConnection connection) {
        try {
            if (connection.reader().available() > 0) {
                return false;
            }
            connection.readTimeout(CHECK_WAIT);
            connection.helidonSocket().get();
            return false;
        } catch (UncheckedIOException e) {
            return e.getCause() instanceof SocketTimeoutException;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private BlockingDeque<Idle> pool(Endpoint endpoint) {
        return pools.computeIfAbsent(endpoint, key -> new LinkedBlockingDeque<>(MAX_IDLE_PER_HOST));
    }

    private TcpClientConnection open(Endpoint endpoint, BlockingDeque<Idle> pool) {
        WebClientConfig config = web.prototype();
        ConnectionKey key = ConnectionKey.create(endpoint.scheme(), endpoint.host(), endpoint.port(),
                "https".equals(endpoint.scheme()) ? config.tls() : NO_TLS, config.dnsResolver(),
                config.dnsAddressLookup(), config.proxy());
        // Helidon calls the first function when an answer was read to its end on a connection that may stay open,
        // and closes the connection itself when it returns false.
        return TcpClientConnection.create(web, key, ALPN, connection -> release(pool, connection), connection -> {
        }).connect();
    }

    private boolean release(BlockingDeque<Idle> pool, TcpClientConnection connection) {
        return idleTimeoutNanos > 0 && pool.offerFirst(new Idle(connection, ticker.nanos()));
    }

    /**
     * The pool is used most-recent-first, so under steady load its oldest connections are never taken again; closing
     * the oldest one whenever a connection is leased keeps them from piling up.
     */
    private void closeOldestIfExpired(BlockingDeque<Idle> pool, long now) {
        Idle oldest = pool.peekLast();
        if (oldest != null && now - oldest.since() >= idleTimeoutNanos && pool.removeLastOccurrence(oldest)) {
            oldest.connection().closeResource();
        }
    }

    /** Closes every idle connection; connections in use close when their requests end. */
    @Override
    public void close() {
        for (BlockingDeque<Idle> pool : pools.values()) {
            for (Idle idle; (idle = pool.pollFirst()) != null; ) {
                idle.connection().closeResource();
            }
        }
    }

    /**
     * A pooled connection lent to one request; notes whether writing the request to it failed. Helidon releases the
     * connection as soon as it has read a body's last byte, before the caller has seen whether the answer was whole
     * (a stream may end without its last event): the release is therefore only noted, and the connection goes back
     * to the pool when the answer is {@linkplain #finish finished}, unless it was {@linkplain #condemn condemned}.
     */
    static final class Attempt implements ClientConnection, DataWriter {
        private final TcpClientConnection connection;
        private boolean writeFailed;
        private boolean released;
        private boolean condemned;

        private Attempt(TcpClientConnection connection) {
            this.connection = connection;
        }

        /** Closes the connection when the answer is finished, instead of returning it to the pool. */
        void condemn() {
            condemned = true;
        }

        /** The answer is done with: the connection goes back to the pool if Helidon released it, else is closed. */
        void finish() {
            if (condemned) {
                connection.closeResource();
            } else if (released) {
                released = false;
                connection.releaseResource();
            }
        }

        @Override
        public DataReader reader() {
            return connection.reader();
        }

        @Override
        public DataWriter writer() {
            return this;
        }

        @Override
        public String channelId() {
            return connection.channelId();
        }

        @Override
        public HelidonSocket helidonSocket() {
            return connection.helidonSocket();
        }

        @Override
        public void readTimeout(Duration readTimeout) {
            connection.readTimeout(readTimeout);
        }

        @Override
        public boolean allowExpectContinue() {
            return connection.allowExpectContinue();
        }

        @Override
        public void allowExpectContinue(boolean allowExpectContinue) {
            connection.allowExpectContinue(allowExpectContinue);
        }

        @Override
        public boolean isConnected() {
            return connection.isConnected();
        }

        @Override
        public void releaseResource() {
            released = true;
        }

        @Override
        public void closeResource() {
            connection.closeResource();
        }

        @Override
        public void write(BufferData... buffers) {
            try {
                connection.writer().write(buffers);
            } catch (RuntimeException e) {
                writeFailed = true;
                throw e;
            }
        }

        @Override
        public void write(BufferData buffer) {
            try {
                connection.writer().write(buffer);
            } catch (RuntimeException e) {
                writeFailed = true;
                throw e;
            }
        }

        @Override
        public void writeNow(BufferData... buffers) {
            try {
                connection.writer().writeNow(buffers);
            } catch (RuntimeException e) {
                writeFailed = true;
                throw e;
            }
        }

        @Override
        public void writeNow(BufferData buffer) {
            try {
                connection.writer().writeNow(buffer);
            } catch (RuntimeException e) {
                writeFailed = true;
                throw e;
            }
        }

        @Override
        public void flush() {
            try {
                connection.writer().flush();
            } catch (RuntimeException e) {
                writeFailed = true;
                throw e;
            }
        }

        @Override
        public void close() {
            flush();
        }
    }
}
