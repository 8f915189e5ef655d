package dev.veil.server.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.codec.BodyBytes;
import dev.veil.server.config.McpConfig;
import dev.veil.server.http.UpstreamClient;
import dev.veil.server.http.UpstreamResponse;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * An upstream server reached over Streamable HTTP: each message is a {@code POST}; the answer is one JSON response or
 * an SSE stream carrying notifications and then the response. The upstream's {@code Mcp-Session-Id} is kept and, when
 * the upstream forgets it (404), the session is opened again once.
 *
 * <p>Every exchange runs on its own virtual thread and the caller waits at most until the deadline: a server that
 * accepts the connection and never answers, or streams forever, costs the caller the timeout and no more.
 */
final class HttpUpstream extends Upstream {
    private static final Logger LOGGER = Logger.getLogger(HttpUpstream.class.getName());
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    private static final HeaderName SESSION = HeaderNames.create("Mcp-Session-Id");
    private static final HeaderName VERSION = HeaderNames.create("MCP-Protocol-Version");

    /** Pooled keep-alive connections, as to providers and OPA. */
    private final UpstreamClient client;
    private final ExecutorService exchanges = Executors.newVirtualThreadPerTaskExecutor();
    private final ReentrantLock opening = new ReentrantLock();
    private volatile Optional<String> session = Optional.empty();
    private volatile Optional<String> version = Optional.empty();

    /** The upstream forgot the session. */
    private static final class SessionGone extends Exception {
        SessionGone() {
            super(null, null, false, false);
        }
    }

    HttpUpstream(McpConfig.Server config, JsonRpc json, int maxMessageBytes) {
        super(config, json, maxMessageBytes);
        this.client = UpstreamClient.create(config.timeout().compareTo(Duration.ofSeconds(10)) < 0
                ? config.timeout() : Duration.ofSeconds(10), IDLE_TIMEOUT);
    }

    @Override
    protected JsonNode send(long id, String method, ObjectNode params, Call call, long deadline) {
        ObjectNode request = JsonRpc.request(id, method, params);
        for (int attempt = 0; ; attempt++) {
            Optional<String> opened = open(deadline);
            try {
                return timed(() -> exchange(request, id, call), deadline, call::cancel);
            } catch (SessionGone e) {
                if (attempt > 0) {
                    throw unavailable("forgot its session twice in a row");
                }
                forget(opened);
            }
        }
    }

    @Override
    void notify(String method, ObjectNode params) {
        exchanges.execute(() -> {
            try (HttpClientResponse response = post(JsonRpc.notification(method, params));
                 InputStream in = response.inputStream()) {
                in.readAllBytes();
            } catch (IOException | RuntimeException e) {
                LOGGER.fine(() -> "notification " + method + " to MCP server '" + name() + "' failed");
            }
        });
    }

    private void cancel(long id) {
        ObjectNode params = JsonRpc.NODES.objectNode();
        params.put("requestId", id);
        params.put("reason", "cancelled by Veil");
        notify("notifications/cancelled", params);
    }

    /** The session to use, opening one first when there is none. */
    private Optional<String> open(long deadline) {
        if (version.isPresent()) {
            return session;
        }
        try {
            if (!opening.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw timedOut();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw McpError.of(McpError.CANCELLED, "Request cancelled");
        }
        try {
            if (version.isPresent()) {
                return session;
            }
            long id = nextId();
            ObjectNode request = JsonRpc.request(id, "initialize", initializeParams());
            JsonNode result;
            try {
                Call init = Call.untracked();
                result = timed(() -> exchange(request, id, init), deadline, init::cancel);
            } catch (SessionGone e) {
                throw unavailable("answered 404 to initialize");
            }
            version = Optional.of(result.path("protocolVersion").asText(PROTOCOL_VERSION));
            notify("notifications/initialized", JsonRpc.NODES.objectNode());
            return session;
        } finally {
            opening.unlock();
        }
    }

    private void forget(Optional<String> opened) {
        opening.lock();
        try {
            if (session.equals(opened)) {
                session = Optional.empty();
                version = Optional.empty();
            }
        } finally {
            opening.unlock();
        }
    }

    private interface Exchange {
        JsonNode run() throws IOException, InterruptedException, SessionGone;
    }

    /** Runs {@code exchange} on its own thread, waiting for it until {@code deadline} at most. */
    private JsonNode timed(Exchange exchange, long deadline, Runnable onTimeout) throws SessionGone {
        Future<JsonNode> future = exchanges.submit(exchange::run);
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            onTimeout.run();
            throw timedOut();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw McpError.of(McpError.CANCELLED, "Request cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SessionGone gone) {
                throw gone;
            }
            if (cause instanceof McpError error) {
                throw error;
            }
            if (UpstreamClient.isTimeout(cause)) {
                throw timedOut();
            }
            throw unavailable("could not be reached (" + cause.getClass().getSimpleName() + ")");
        }
    }

    private UpstreamResponse post(ObjectNode message) {
        byte[] body = JsonRpc.bytes(message);
        java.net.URI uri = config.url().orElseThrow();
        return client.send(uri, connection -> {
            Http1ClientRequest request = client.http().post().uri(uri).connection(connection)
                    .readTimeout(config.timeout()).contentType(MediaTypes.APPLICATION_JSON)
                    .header(HeaderNames.ACCEPT, "application/json, text/event-stream");
            session.ifPresent(id -> request.header(SESSION, id));
            version.ifPresent(v -> request.header(VERSION, v));
            config.headers().forEach((name, value) -> request.header(HeaderNames.create(name), value.reveal()));
            return request.submit(body);
        });
    }

    private JsonNode exchange(ObjectNode request, long id, Call call)
            throws IOException, InterruptedException, SessionGone {
        AtomicReference<UpstreamResponse> open = new AtomicReference<>();
        call.onCancel(() -> {
            cancel(id);
            UpstreamResponse response = open.get();
            if (response != null) {
                response.abort();
            }
        });
        UpstreamResponse response = post(request);
        open.set(response);
        // Pooled again only when its body was read to the end; an event stream left early closes its connection.
        boolean whole = false;
        try {
            InputStream in = response.inputStream();
            int status = response.status().code();
            if (status == 404 && session.isPresent()) {
                throw new SessionGone();
            }
            if (status / 100 != 2) {
                throw unavailable("answered HTTP " + status);
            }
            if ("initialize".equals(request.path("method").asText())) {
                session = response.headers().first(SESSION);
            }
            String type = response.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
            if (type.startsWith("text/event-stream")) {
                return stream(in, id);
            }
            if (!type.startsWith("application/json")) {
                throw unavailable("answered " + (type.isEmpty() ? "without a content type" : type)
                        + " instead of JSON or an event stream");
            }
            byte[] body = BodyBytes.read(in, response.headers().contentLength().orElse(-1), maxMessageBytes);
            if (body.length > maxMessageBytes) {
                throw unavailable("answered more than " + maxMessageBytes + " bytes");
            }
            whole = true;
            return answer(json.upstream(new String(body, java.nio.charset.StandardCharsets.UTF_8)), id)
                    .orElseThrow(() -> unavailable("answered something other than the response"));
        } catch (IOException | RuntimeException e) {
            if (call.cancelled()) {
                throw McpError.of(McpError.CANCELLED, "Request cancelled");
            }
            throw e;
        } finally {
            if (whole) {
                response.close();
            } else {
                response.abort();
            }
        }
    }

    /** Reads SSE events until the response to {@code id}; notifications on the way are routed. */
    private JsonNode stream(InputStream in, long id) throws IOException {
        Lines lines = new Lines(in, maxMessageBytes);
        StringBuilder data = new StringBuilder();
        while (true) {
            Optional<String> line = lines.next();
            if (line.isEmpty() || line.get().isEmpty()) {
                if (!data.isEmpty()) {
                    Optional<JsonNode> result = answer(json.upstream(data.toString()), id);
                    if (result.isPresent()) {
                        return result.get();
                    }
                    data.setLength(0);
                }
                if (line.isEmpty()) {
                    throw unavailable("ended its event stream before the response");
                }
                continue;
            }
            String field = line.get();
            if (field.startsWith("data:")) {
                if (!data.isEmpty()) {
                    data.append('\n');
                }
                data.append(field, field.startsWith("data: ") ? 6 : 5, field.length());
                if (data.length() > maxMessageBytes) {
                    throw unavailable("sent an event larger than " + maxMessageBytes + " bytes");
                }
            }
        }
    }

    /** The result when {@code message} is the response to {@code id}; notifications are routed on the way. */
    private Optional<JsonNode> answer(Optional<JsonRpc.Message> message, long id) {
        if (message.isEmpty()) {
            return Optional.empty();
        }
        JsonRpc.Message m = message.get();
        if (m.kind() == JsonRpc.Kind.NOTIFICATION) {
            received(m);
            return Optional.empty();
        }
        if (m.kind() == JsonRpc.Kind.RESPONSE && m.id().orElseThrow().asLong() == id) {
            return Optional.of(resultOf(m.body()));
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        Optional<String> id = session;
        if (id.isPresent()) {
            java.net.URI uri = config.url().orElseThrow();
            try (HttpClientResponse response = client.send(uri, connection -> {
                Http1ClientRequest request = client.http().delete().uri(uri).connection(connection)
                        .readTimeout(Duration.ofSeconds(1)).header(SESSION, id.get());
                config.headers().forEach((name, value) -> request.header(HeaderNames.create(name), value.reveal()));
                return request.request();
            }); InputStream in = response.inputStream()) {
                in.readAllBytes();
            } catch (IOException | RuntimeException e) {
                LOGGER.fine(() -> "closing the session with MCP server '" + name() + "' failed");
            }
        }
        exchanges.shutdownNow();
        client.close();
    }
}
