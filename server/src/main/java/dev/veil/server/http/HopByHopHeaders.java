package dev.veil.server.http;

import java.util.List;

import io.helidon.http.ClientRequestHeaders;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.WebClientServiceRequest;
import io.helidon.webclient.api.WebClientServiceResponse;
import io.helidon.webclient.spi.WebClientService;

/**
 * Removes hop-by-hop headers (RFC 9110, section 7.6.1) from every request to an upstream, the headers that
 * {@code Connection} names among them: they describe one connection, and the connection to a provider is Veil's, so
 * none of them may come from configured headers or from a client. Helidon itself adds {@code Proxy-Connection}
 * wherever a system proxy could apply. The one exception is the {@code CONNECT} request to an HTTP proxy, for which
 * those headers are meant.
 */
final class HopByHopHeaders implements WebClientService {
    private static final List<HeaderName> NAMES = List.of(HeaderNames.CONNECTION, HeaderNames.create("Keep-Alive"),
            HeaderNames.create("Proxy-Connection"), HeaderNames.TE, HeaderNames.TRAILER, HeaderNames.TRANSFER_ENCODING,
            HeaderNames.UPGRADE, HeaderNames.PROXY_AUTHORIZATION, HeaderNames.PROXY_AUTHENTICATE);

    @Override
    public WebClientServiceResponse handle(Chain chain, WebClientServiceRequest request) {
        if (request.method() != Method.CONNECT) {
            ClientRequestHeaders headers = request.headers();
            for (String value : headers.values(HeaderNames.CONNECTION)) {
                for (String named : value.split(",")) {
                    if (!named.isBlank()) {
                        headers.remove(HeaderNames.create(named.trim()));
                    }
                }
            }
            for (HeaderName name : NAMES) {
                headers.remove(name);
            }
        }
        return chain.proceed(request);
    }
}
