package dev.veil.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import dev.veil.server.codec.BodyBytes;
import dev.veil.server.codec.UpstreamError;
import dev.veil.server.codec.openai.OpenAiResponses;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.core.UpstreamException;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.HttpClientResponse;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;

/**
 * One provider's view of the shared, pooled HTTP/1.1 upstream client. Every call either hands back a successful response the caller must
 * close, or consumes the error body and turns it into an {@link UpstreamException}, so pooled connections are
 * always either reused or closed.
 */
public final class UpstreamHttp {
    private static final HeaderName RETRY_AFTER = HeaderNames.create("Retry-After");
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final String provider;
    private final UpstreamClient client;
    private final Duration readTimeout;
    private final UpstreamLimits limits;
    private final Optional<HeaderName> errorType;

    public UpstreamHttp(UpstreamClient client, ProviderConfig config, UpstreamLimits limits) {
        this(client, config, limits, Optional.empty());
    }

    private UpstreamHttp(UpstreamClient client, ProviderConfig config, UpstreamLimits limits,
                         Optional<HeaderName> errorType) {
        this.client = client;
        this.provider = config.name();
        this.readTimeout = config.readTimeout();
        this.limits = limits;
        this.errorType = errorType;
    }

    /**
     * A client for an upstream that names its error types in a header (Bedrock's {@code x-amzn-ErrorType:
     * ThrottlingException:http://...}): the name before any {@code :} becomes the error's code, for the adapter to
     * classify by.
     */
    public static UpstreamHttp withErrorTypeHeader(UpstreamClient client, ProviderConfig config,
                                                   UpstreamLimits limits, HeaderName header) {
        return new UpstreamHttp(client, config, limits, Optional.of(header));
    }

    /**
     * POSTs a JSON body; returns the 2xx response, which the caller must close, or {@linkplain UpstreamResponse#abort
     * abort} when it went wrong partway.
     */
    public UpstreamResponse post(URI uri, List<Header> headers, byte[] body, boolean stream)
            throws UpstreamException {
        return exchange(uri, connection -> {
            var request = client.http().post().uri(uri).connection(connection).readTimeout(readTimeout);
            request.contentType(MediaTypes.APPLICATION_JSON);
            request.accept(stream ? MediaTypes.TEXT_EVENT_STREAM : MediaTypes.APPLICATION_JSON);
            for (Header header : headers) {
                request.header(header);
            }
            // The attempt's client span is current: the provider (or a proxy before it) can join the trace.
            W3CTraceContextPropagator.getInstance().inject(Context.current(), request,
                    (carrier, name, value) -> carrier.header(HeaderNames.create(name), value));
            return request.submit(body);
        });
    }

    /** GETs a resource with its own read timeout; returns the 2xx response, which the caller must close. */
    public UpstreamResponse get(URI uri, List<Header> headers, Duration timeout) throws UpstreamException {
        return exchange(uri, connection -> {
            var request = client.http().get().uri(uri).connection(connection).readTimeout(timeout);
            request.accept(MediaTypes.APPLICATION_JSON);
            for (Header header : headers) {
                request.header(header);
            }
            return request.request();
        });
    }

    private UpstreamResponse exchange(URI uri, Function<ClientConnection, HttpClientResponse> send)
            throws UpstreamException {
        UpstreamResponse response;
        try {
            response = client.send(uri, send);
        } catch (RuntimeException e) {
            throw classify(e);
        }
        return checked(response);
    }

    /** Reads a whole (non-streamed) body, bounded by the configured limit. */
    public byte[] body(UpstreamResponse response) throws UpstreamException {
        long maxResponseBytes = limits.maxResponseBytes();
        try (InputStream in = response.inputStream()) {
            byte[] body = BodyBytes.read(in, response.headers().contentLength().orElse(-1),
                    (int) Math.min(Integer.MAX_VALUE - 9, maxResponseBytes));
            if (body.length > maxResponseBytes) {
                throw UpstreamException.malformed(provider, "the answer exceeds veil.limits.max-upstream-response-bytes");
            }
            return body;
        } catch (IOException | RuntimeException e) {
            throw classify(e);
        }
    }

    /** The events of a streamed body, each bounded by {@code veil.limits.max-upstream-event-bytes}. */
    public SseReader events(UpstreamResponse response) {
        return new SseReader(response.inputStream(), limits.maxEventBytes());
    }

    /** The raw event frames of a streamed body, each bounded by {@code veil.limits.max-upstream-event-bytes}. */
    public SseFrames frames(UpstreamResponse response) {
        return new SseFrames(response.inputStream(), limits.maxEventBytes());
    }

    /** Turns a transport failure into an {@link UpstreamException} of the right kind. */
    public UpstreamException classify(Exception failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UpstreamException upstream) {
                return upstream;
            }
            if (t instanceof EventTooLargeException tooLarge) {
                return UpstreamException.malformed(provider, tooLarge.getMessage());
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException || t instanceof UnresolvedAddressException) {
                return UpstreamException.connect(provider, failure);
            }
        }
        return UpstreamClient.isTimeout(failure) ? UpstreamException.timeout(provider, failure)
                : UpstreamException.broken(provider, failure);
    }

    private UpstreamResponse checked(UpstreamResponse response) throws UpstreamException {
        int status = response.status().code();
        if (status >= 200 && status < 300) {
            return response;
        }
        try (response) {
            byte[] body;
            try (InputStream in = response.inputStream()) {
                body = BodyBytes.read(in, response.headers().contentLength().orElse(-1), MAX_ERROR_BODY);
            } catch (IOException | RuntimeException e) {
                body = new byte[0];
            }
            Optional<UpstreamError> error = OpenAiResponses.error(body);
            Optional<String> type = errorType.flatMap(name -> response.headers().first(name))
                    .map(value -> value.split(":", 2)[0].trim()).filter(value -> !value.isEmpty());
            if (type.isPresent()) {
                UpstreamError described = error.orElse(new UpstreamError("", Optional.empty(), Optional.empty(),
                        Optional.empty()));
                error = Optional.of(new UpstreamError(described.message(), described.type(), type,
                        described.param()));
            }
            throw UpstreamException.status(provider, status, error, retryAfter(response));
        }
    }

    private static OptionalLong retryAfter(UpstreamResponse response) {
        return response.headers().first(RETRY_AFTER).map(value -> {
            try {
                return OptionalLong.of(Math.max(0, Long.parseLong(value.trim())));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }).orElse(OptionalLong.empty());
    }
}
