package dev.veil.server.listener;

import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.veil.server.config.ClientTimeouts;
import dev.veil.server.core.Ticker;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.Bytes;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.NioSocket;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * HTTP/1.1 as Helidon serves it, and HTTP/1.0 too, which Helidon 4.5 answers {@code 505 HTTP Version Not Supported}
 * ({@code Http1Prologue} accepts only {@code HTTP/1.1}, and no setting changes that). Load balancers' default health
 * checks (HAProxy's {@code option httpchk}, F5 monitors), nginx's default proxying and {@code curl --http1.0} speak
 * HTTP/1.0, so without this every instance looks down to them.
 *
 * <p>It takes the place of Helidon's own HTTP/1.1 selector (the listener must not discover that one: with two
 * candidates Helidon reads a connection's first bytes before any connection owns it, where neither the idle timeout
 * nor shutdown can end it). Every connection is served by Helidon's HTTP/1.1 connection, with the same routing, filters
 * and error handling; one whose first request line is HTTP/1.0 is served through a {@link RequestTranslator}, which
 * hands each HTTP/1.0 request on as HTTP/1.1 and makes its response readable by an HTTP/1.0 client (RFC 9112 §9.3):
 * a length or, for streams, the end of the connection, never chunked; {@code Connection: close} unless the client
 * asked for {@code keep-alive}. No HTTP/1.1 upgrade (WebSocket, h2c) is offered: Veil has none.
 *
 * <p>Every connection is read under the client timeouts ({@link ClientReads}), and a response that says
 * {@code Connection: close} ends its connection. Reaching the socket's channel, which a read deadline needs to end a
 * blocked read without closing the connection (its answer must still go out), takes one reflective look into
 * Helidon's {@link NioSocket}: Helidon offers no other way, and the look is checked when the class is loaded, so a
 * Helidon that changed fails Veil's start rather than its timeouts.
 */
public final class Http1xConnectionSelector implements ServerConnectionSelector {
    private static final Field NIO_CHANNEL = nioChannelField();

    private final Http1Config config;
    private final Http1ConnectionSelector http1;
    private final ClientTimeouts timeouts;
    private final long maxBodyBytes;
    private final ProtocolErrors errors;
    private final ReadDeadlines deadlines;
    private final Ticker ticker;
    private final Set<Http1xConnection> live = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    private Http1xConnectionSelector(ClientTimeouts timeouts, long maxBodyBytes, ProtocolErrors errors,
                                     Ticker ticker) {
        this.config = Http1Config.builder()
                .addReceiveListener(new Receiving())
                .addSendListener(new Sending())
                .build();
        this.http1 = Http1ConnectionSelector.builder().config(config).build();
        this.timeouts = timeouts;
        this.maxBodyBytes = maxBodyBytes;
        this.errors = errors;
        this.ticker = ticker;
        this.deadlines = new ReadDeadlines(shortest(timeouts), ticker);
    }

    /**
     * With Helidon's default HTTP/1 settings (the ones its own selector has unless configured otherwise), reading
     * clients under {@code timeouts}.
     *
     * @param maxBodyBytes the most data the chunks of one request body may declare
     * @param errors       what answers a head that did not arrive in time
     * @param ticker       what the timeouts are measured on
     */
    public static Http1xConnectionSelector create(ClientTimeouts timeouts, long maxBodyBytes, ProtocolErrors errors,
                                                  Ticker ticker) {
        return new Http1xConnectionSelector(timeouts, maxBodyBytes, errors, ticker);
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData request) {
        int lineFeed = request.indexOf(Bytes.LF_BYTE);
        if (lineFeed == -1) {
            // As Helidon's selector: a line not complete yet is taken while it can still be a request line.
            return request.available() <= config.maxPrologueLength() ? Support.SUPPORTED : Support.UNSUPPORTED;
        }
        String line = request.readString(lineFeed);
        return line.endsWith(" HTTP/1.1\r") || line.endsWith(" HTTP/1.0\r") ? Support.SUPPORTED : Support.UNSUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of("http/1.1");
    }

    @Override
    public ServerConnection connection(ConnectionContext context) {
        return new Http1xConnection(context, this);
    }

    /** The reads of a connection just taken. */
    ClientReads reads(ConnectionContext context) {
        HelidonSocket socket = context.serverSocket();
        return new ClientReads(socket, channel(socket), context.dataWriter(),
                ClientReads.carriedFrom(context.dataReader()), timeouts, maxBodyBytes, errors, ticker,
                () -> draining);
    }

    /**
     * From now on a connection ends instead of waiting for its next request: the server is stopping, and a client
     * that kept its connection open would hold the stop until its deadline. The request a connection is serving, or
     * has already received, is still served.
     */
    public void drain() {
        draining = true;
    }

    /** Ends every connection at once, whatever it is doing: the stop's deadline has passed. */
    public void abort() {
        for (Http1xConnection connection : live) {
            connection.close(true);
        }
    }

    void serving(Http1xConnection connection) {
        live.add(connection);
    }

    void served(Http1xConnection connection) {
        live.remove(connection);
    }

    ReadDeadlines deadlines() {
        return deadlines;
    }

    Ticker ticker() {
        return ticker;
    }

    Http1ConnectionSelector http1() {
        return http1;
    }

    int maxPrologueLength() {
        return config.maxPrologueLength();
    }

    /** The longest head Helidon accepts: request line, header fields, and the two line ends around them. */
    int maxHeadLength() {
        return config.maxPrologueLength() + config.maxHeadersSize() + 4;
    }

    long maxBodyBytes() {
        return maxBodyBytes;
    }

    private static SocketChannel channel(HelidonSocket socket) {
        if (!(socket instanceof NioSocket)) {
            throw new IllegalStateException("Veil reads clients through NIO sockets, got " + socket.getClass());
        }
        try {
            return (SocketChannel) NIO_CHANNEL.get(socket);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Helidon's NioSocket no longer lets Veil reach its channel", e);
        }
    }

    private static Field nioChannelField() {
        try {
            Field field = NioSocket.class.getDeclaredField("delegate");
            if (field.getType() != SocketChannel.class) {
                throw new IllegalStateException("Helidon's NioSocket.delegate is no longer a SocketChannel");
            }
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException | RuntimeException e) {
            throw new IllegalStateException("Helidon's NioSocket no longer holds its channel where Veil looks; the "
                    + "client timeouts cannot work with this Helidon version", e);
        }
    }

    private static Duration shortest(ClientTimeouts timeouts) {
        Duration shortest = timeouts.header();
        for (Duration timeout : new Duration[] {timeouts.bodyIdle(), timeouts.body(), timeouts.idle()}) {
            if (timeout.compareTo(shortest) < 0) {
                shortest = timeout;
            }
        }
        return shortest;
    }

    /** Tells each connection's reads where Helidon is in a request. */
    private static final class Receiving implements Http1ConnectionListener {
        @Override
        public void prologue(ConnectionContext context, HttpPrologue prologue) {
            if (context instanceof ClientContext client) {
                client.reads().requestLine(prologue);
            }
        }

        @Override
        public void headers(ConnectionContext context, Headers headers) {
            if (context instanceof ClientContext client) {
                client.reads().headComplete(headers);
            }
        }
    }

    /**
     * Ends a connection once a response that closes it is written: one that says {@code Connection: close}, or one
     * to a request that asked for it (Helidon adds the header to those later, where this does not see it).
     */
    private static final class Sending implements Http1ConnectionListener {
        @Override
        public void headers(ConnectionContext context, Headers headers) {
            if (context instanceof ClientContext client && (client.reads().closeAsked()
                    || headers.containsToken(HeaderValues.CONNECTION_CLOSE))) {
                client.owner().endAfterResponse();
            }
        }
    }
}
