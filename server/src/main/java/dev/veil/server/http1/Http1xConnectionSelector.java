package dev.veil.server.http1;

import java.util.Set;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.Bytes;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
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
 * and error handling; one whose first request line is HTTP/1.0 is served through {@link Http10Context}, which hands
 * each HTTP/1.0 request on as HTTP/1.1 and makes its response readable by an HTTP/1.0 client (RFC 9112 §9.3): a length
 * or, for streams, the end of the connection, never chunked; {@code Connection: close} unless the client asked for
 * {@code keep-alive}. Connections that start HTTP/1.1 are Helidon's own, untouched. No HTTP/1.1 upgrade (WebSocket,
 * h2c) is offered: Veil has none.
 */
public final class Http1xConnectionSelector implements ServerConnectionSelector {
    private final Http1Config config;
    private final Http1ConnectionSelector http1;

    private Http1xConnectionSelector(Http1Config config) {
        this.config = config;
        this.http1 = Http1ConnectionSelector.builder().config(config).build();
    }

    /** With Helidon's default HTTP/1 settings, the ones its own selector has unless configured otherwise. */
    public static Http1xConnectionSelector create() {
        return new Http1xConnectionSelector(Http1Config.create());
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
        return new Http1xConnection(context, http1, config);
    }
}
