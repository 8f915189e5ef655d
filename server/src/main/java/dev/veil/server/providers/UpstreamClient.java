package dev.veil.server.providers;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.Function;

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
 * request's CPU and most of its latency tail (docs/benchmarks.md). Here an idle connection is not watched. One the
 * server closed while it sat idle is found out when it is used, and the request is then sent again, once, on a new
 * connection. A connection idle for longer than the idle timeout is closed rather than used, so that one
 * a NAT or a load balancer dropped without a word is not used either.
 */
public final class UpstreamClient implements AutoCloseable {
    private static final int MAX_IDLE_PER_HOST = 256;
    private static final Tls NO_TLS = Tls.builder().enabled(false).build();
    private static final List<String> ALPN = List.of("http/1.1");

    private record Lease(ClientConnection connection, boolean reused) {
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
    private final Map<Endpoint, BlockingDeque<Idle>> pools = new ConcurrentHashMap<>();

    private UpstreamClient(WebClient web, Duration idleTimeout) {
        this.web = web;
        this.http = web.client(Http1Client.PROTOCOL);
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /**
     * HTTP/1.1 is set explicitly: protocol discovery per request costs a round trip and throughput. TCP_NODELAY,
     * because a request is written as head and body, and Nagle would hold the body back for an acknowledgement.
     */
    public static UpstreamClient create(Duration connectTimeout, Duration idleTimeout) {
        return create(connectTimeout, idleTimeout, WebClient.builder());
    }

    /** With its own TLS settings, for servers whose certificates the JDK's trust store does not vouch for. */
    static UpstreamClient create(Duration connectTimeout, Duration idleTimeout, Tls tls) {
        return create(connectTimeout, idleTimeout, WebClient.builder().tls(tls));
    }

    private static UpstreamClient create(Duration connectTimeout, Duration idleTimeout,
                                         WebClientConfig.Builder builder) {
        WebClient web = builder
                .socketOptions(options -> options.tcpNoDelay(true).connectTimeout(connectTimeout))
                .connectTimeout(connectTimeout)
                .followRedirects(false)
                .keepAlive(true)
                .build();
        return new UpstreamClient(web, idleTimeout);
    }

    /** The client requests are built with; {@link #send} gives each its connection. */
    public Http1Client http() {
        return http;
    }

    /**
     * Sends one request on a pooled connection: {@code send} builds it on the connection it is given and submits it.
     * If a connection that had been idle fails before any answer, the server closed it while it sat in the pool and
     * read nothing of the request, which then goes out once more on a new connection. A timeout is never retried: the
     * server may be working on the request. Throws what Helidon throws, for the caller to classify.
     */
    public HttpClientResponse send(URI uri, Function<ClientConnection, HttpClientResponse> send) {
        Endpoint endpoint = Endpoint.of(uri);
        BlockingDeque<Idle> pool = pool(endpoint);
        Lease lease = lease(endpoint, pool);
        try {
            return send.apply(lease.connection());
        } catch (RuntimeException e) {
            lease.connection().closeResource();
            if (!lease.reused() || isTimeout(e)) {
                throw e;
            }
            TcpClientConnection fresh = open(endpoint, pool);
            try {
                return send.apply(fresh);
            } catch (RuntimeException again) {
                fresh.closeResource();
                throw again;
            }
        }
    }

    /** Whether a failure is a read or connect timeout, however Helidon or the JDK reported it. */
    public static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
                return true;
            }
        }
        // Helidon reports some timeouts with exception types of its own.
        return failure.getClass().getSimpleName().contains("Timeout");
    }

    /** The most recently used idle connection that is young enough, or a new one. */
    private Lease lease(Endpoint endpoint, BlockingDeque<Idle> pool) {
        long now = System.nanoTime();
        for (Idle candidate; (candidate = pool.pollFirst()) != null; ) {
            if (now - candidate.since() < idleTimeoutNanos && candidate.connection().isConnected()) {
                closeOldestIfExpired(pool, now);
                return new Lease(candidate.connection(), true);
            }
            candidate.connection().closeResource();
        }
        return new Lease(open(endpoint, pool), false);
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
        return idleTimeoutNanos > 0 && pool.offerFirst(new Idle(connection, System.nanoTime()));
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
}
