package dev.veil.server.http10;

import java.util.Set;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.Bytes;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * Serves HTTP/1.0 clients, which Helidon 4.5's HTTP/1.1 connection answers {@code 505 HTTP Version Not Supported}
 * ({@code Http1Prologue} accepts only {@code HTTP/1.1}, with no setting to change that). Load balancers' default
 * health checks (HAProxy's {@code option httpchk}, F5 monitors) and {@code curl --http1.0} speak HTTP/1.0, so without
 * this every instance looks down to them.
 *
 * <p>Added to the listener ahead of Helidon's own selectors, it takes only connections whose first request line is
 * HTTP/1.0 (or not yet complete); those that start HTTP/1.1 go to Helidon's selector untouched, so the usual path costs
 * nothing. A taken connection is served by Helidon's HTTP/1.1 connection, the same routing, filters and error handling,
 * with each HTTP/1.0 request handed to it as HTTP/1.1 and its response made readable by an HTTP/1.0 client
 * (RFC 9112 §9.3): a length or, for streams, the end of the connection, never chunked; {@code Connection: close}
 * unless the client asked for {@code keep-alive}.
 */
public final class Http10ConnectionSelector implements ServerConnectionSelector {
    private static final String HTTP_1_0_LINE_END = " HTTP/1.0\r";

    private final Http1Config config;
    private final Http1ConnectionSelector http1;

    private Http10ConnectionSelector(Http1Config config) {
        this.config = config;
        this.http1 = Http1ConnectionSelector.builder().config(config).build();
    }

    /** With Helidon's default HTTP/1 settings, the ones a listener has unless configured otherwise. */
    public static Http10ConnectionSelector create() {
        return new Http10ConnectionSelector(Http1Config.create());
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData request) {
        int lineFeed = request.indexOf(Bytes.LF_BYTE);
        if (lineFeed == -1) {
            // The line is not complete yet; Http10Connection decides once it is.
            return Support.SUPPORTED;
        }
        return request.readString(lineFeed).endsWith(HTTP_1_0_LINE_END) ? Support.SUPPORTED : Support.UNSUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of();
    }

    @Override
    public ServerConnection connection(ConnectionContext context) {
        return new Http10Connection(context, http1, config);
    }
}
