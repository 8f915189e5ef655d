package dev.veil.server.listener;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.anthropic.AnthropicMessages;
import dev.veil.server.codec.openai.OpenAiWriter;
import dev.veil.server.core.Ticker;
import dev.veil.server.telemetry.ThrottledLog;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * The answers to requests that fail below routing (a request line or header section Helidon cannot parse, one too
 * long, an HTTP version Veil does not speak, a head that did not arrive in time), each in the API's error shape:
 * Anthropic's on {@code /v1/messages} and below when the path is known, a JSON-RPC error on the MCP gateway's
 * {@code /mcp}, OpenAI's everywhere else. Helidon's own
 * answers have an empty body and say 400 where 431 or 505 is meant.
 *
 * <p>No answer quotes the request: Helidon's messages can echo its bytes, so each kind gets a fixed text. Each kind
 * is logged at most once a minute, with how many were not, so a client that sends garbage cannot flood the log.
 */
public final class ProtocolErrors {
    private static final Logger LOGGER = Logger.getLogger(ProtocolErrors.class.getName());
    /**
     * A request line that is well formed but for its version: method, target and an HTTP version other than the two
     * Veil speaks ({@code HTTP/2.0}, {@code HTTP/0.9}).
     */
    private static final Pattern OTHER_VERSION = Pattern.compile("[^ ]+ [^ ]+ HTTP/(?!1\\.[01]/?$)\\d+(\\.\\d+)?/?");

    private final ThrottledLog log;

    /** What one kind of error answers: status, code and a message that quotes nothing of the request. */
    private record Kind(int status, ErrorKind kind, String code, String message) {
        Kind(int status, String code, String message) {
            this(status, ErrorKind.INVALID_REQUEST, code, message);
        }

        VeilException exception() {
            return kind.status() == status ? new VeilException(kind, message).withCode(code)
                    : VeilException.clientError(status, kind.type(), message, code, null);
        }
    }

    private static final Kind MALFORMED = new Kind(400, "malformed_request", "The request is not valid HTTP/1.1: "
            + "Veil could not read its request line or header section");
    private static final Kind URI_TOO_LONG = new Kind(414, "uri_too_long", "The request line is longer than Veil "
            + "accepts");
    private static final Kind HEADERS_TOO_LARGE = new Kind(431, "request_header_fields_too_large", "The request's "
            + "header section is larger than Veil accepts");
    private static final Kind VERSION_NOT_SUPPORTED = new Kind(505, "http_version_not_supported", "Veil speaks "
            + "HTTP/1.1 and HTTP/1.0 only");
    private static final Kind VERSION_CHANGED = new Kind(400, "malformed_request", "An HTTP/1.0 request must "
            + "open its own connection: this one began with HTTP/1.1");
    private static final Kind UNSUPPORTED_CODING = new Kind(501, "unsupported_transfer_encoding", "Veil accepts "
            + "request bodies in the chunked transfer coding only");
    private static final Kind CONFLICTING_FRAMING = new Kind(400, "malformed_request", "The request carries both "
            + "Transfer-Encoding and Content-Length, or a Content-Length that is not one valid number");
    private static final Kind TOO_LARGE = new Kind(413, ErrorKind.PAYLOAD_TOO_LARGE, "request_too_large",
            "The request body is larger than Veil accepts (veil.limits.max-request-bytes)");
    private static final Kind INTERNAL = new Kind(500, ErrorKind.INTERNAL, "internal_error",
            "Veil failed to process the request");
    private static final Kind OVERLOADED = new Kind(503, ErrorKind.UNAVAILABLE, "overloaded",
            "Veil is serving as many requests as it can; retry shortly");

    ProtocolErrors(Ticker ticker) {
        this.log = new ThrottledLog(LOGGER, ticker);
    }

    /** One per server: its log windows, timed on {@code ticker}, are shared by every connection. */
    public static ProtocolErrors create(Ticker ticker) {
        return new ProtocolErrors(ticker);
    }

    /**
     * Helidon's direct handlers for every kind of event, answering in Veil's error shapes. They need Helidon's error
     * handling to pass its messages on ({@code includeEntity}), which only classify: none reaches a client.
     */
    public DirectHandlers directHandlers() {
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            handlers.addHandler(type, new Handler());
        }
        return handlers.build();
    }

    /** Writes the 408 for a request whose head did not arrive in time; nothing of its answer was sent yet. */
    void headTimedOut(DataWriter writer, Optional<String> path, String message) {
        Kind kind = new Kind(408, "request_timeout", message);
        log("408 request_timeout (header section)");
        byte[] body = body(path.orElse(""), kind);
        String head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        BufferData response = BufferData.growing(head.length() + body.length);
        response.write(head.getBytes(StandardCharsets.US_ASCII));
        response.write(body);
        try {
            writer.writeNow(response);
        } catch (RuntimeException e) {
            // The client is gone as well: nobody is left to tell.
        }
    }

    private static byte[] body(String path, Kind kind) {
        VeilException error = kind.exception();
        if (path.equals("/mcp") || path.startsWith("/mcp/")) {
            return jsonRpc(error);
        }
        return path.startsWith("/v1/messages") ? AnthropicMessages.error(error, null) : OpenAiWriter.error(error);
    }

    /** The MCP gateway's shape: a JSON-RPC error object, Invalid Request, for a message that could not be read. */
    private static byte[] jsonRpc(VeilException error) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("jsonrpc", "2.0");
        root.putNull("id");
        ObjectNode body = root.putObject("error");
        body.put("code", -32600);
        body.put("message", error.getMessage());
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Logs one line for {@code kind} unless one was logged less than a minute ago; counts the ones it skips. */
    void log(String kind) {
        log.info(kind, () -> "answered a client's request with " + kind);
    }

    private final class Handler implements DirectHandler {
        /** From routing: the failure itself is known. */
        @Override
        public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                        ServerResponseHeaders responseHeaders, Throwable thrown) {
            Kind kind = switch (eventType) {
                case INTERNAL_ERROR -> INTERNAL;
                case OTHER -> defaultStatus.code() < 500
                        ? new Kind(defaultStatus.code(), "invalid_request", defaultStatus.reasonPhrase())
                        : classify(request, defaultStatus, null);
                default -> classify(request, defaultStatus,
                        thrown instanceof RequestException e && e.safeMessage() ? e.getMessage() : null);
            };
            return respond(request, kind, responseHeaders, eventType.keepAlive());
        }

        /** Below routing: only Helidon's message, when its error handling passes it on. */
        @Override
        public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                        ServerResponseHeaders responseHeaders, String message) {
            // Outside routing, an exception Helidon did not map comes from parsing the head (a method token with
            // a character no token may have, say): the request is what failed.
            Kind kind = eventType == EventType.INTERNAL_ERROR ? MALFORMED
                    : classify(request, defaultStatus, message);
            return respond(request, kind, responseHeaders, false);
        }

        private TransportResponse respond(TransportRequest request, Kind kind, ServerResponseHeaders headers,
                                          boolean keepAlive) {
            log(kind.status() + " " + kind.code());
            headers.set(HeaderValues.CONTENT_TYPE_JSON);
            return TransportResponse.builder()
                    .status(Status.create(kind.status()))
                    .headers(headers)
                    .entity(body(request.path(), kind))
                    .keepAlive(keepAlive && kind.status() < 500)
                    .build();
        }
    }

    private static Kind classify(DirectHandler.TransportRequest request, Status status, String message) {
        String text = message == null ? "" : message;
        if (status.code() == 505 && request.protocolVersion().equals("HTTP/1.0")) {
            // Veil speaks HTTP/1.0, on connections that begin with it (as every HTTP/1.0 client's do).
            return VERSION_CHANGED;
        }
        switch (status.code()) {
            case 413:
                return TOO_LARGE;
            case 414:
                return URI_TOO_LONG;
            case 431:
                return HEADERS_TOO_LARGE;
            case 501:
                return UNSUPPORTED_CODING;
            case 505:
                return VERSION_NOT_SUPPORTED;
            default:
                break;
        }
        if (status.code() >= 500) {
            return status.code() == 503 ? OVERLOADED : INTERNAL;
        }
        if (text.equals("Header size exceeded")) {
            return HEADERS_TOO_LARGE;
        }
        if (text.contains("Content-Length") || text.contains("Content length")) {
            return CONFLICTING_FRAMING;
        }
        // Of a request line whose version it does not know, Helidon gives the whole line as the version.
        if (OTHER_VERSION.matcher(request.protocolVersion()).matches()) {
            return VERSION_NOT_SUPPORTED;
        }
        return MALFORMED;
    }
}
