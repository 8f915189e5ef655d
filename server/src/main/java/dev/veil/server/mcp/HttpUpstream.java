package dev.veil.server.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    private final HttpClient client;
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
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout().compareTo(Duration.ofSeconds(10)) < 0 ? config.timeout()
                        : Duration.ofSeconds(10))
                .executor(exchanges).build();
    }

    @Override
    protected JsonNode send(long id, String method, ObjectNode params, Call call, long deadline) {
        ObjectNode request = JsonRpc.request(id, method, params);
        for (int attempt = 0; ; attempt++) {
            Optional<String> opened = open(deadline);
            try {
                return timed(() -> exchange(request, id, call), deadline, () -> cancel(id));
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
            try {
                post(JsonRpc.notification(method, params), Duration.ofNanos(config.timeout().toNanos()))
                        .body().close();
            } catch (IOException | InterruptedException | RuntimeException e) {
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
                result = timed(() -> exchange(request, id, Call.untracked()), deadline, () -> { });
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
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw timedOut();
            }
            throw unavailable("could not be reached (" + cause.getClass().getSimpleName() + ")");
        }
    }

    private HttpResponse<InputStream> post(ObjectNode message, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(config.url().orElseThrow())
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JsonRpc.bytes(message)));
        session.ifPresent(id -> builder.header("Mcp-Session-Id", id));
        version.ifPresent(v -> builder.header("MCP-Protocol-Version", v));
        config.headers().forEach((name, value) -> builder.header(name, value.reveal()));
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private JsonNode exchange(ObjectNode request, long id, Call call)
            throws IOException, InterruptedException, SessionGone {
        AtomicReference<InputStream> open = new AtomicReference<>();
        call.onCancel(() -> {
            cancel(id);
            InputStream in = open.get();
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // Closing only ends the wait.
                }
            }
        });
        HttpResponse<InputStream> response = post(request, config.timeout());
        try (InputStream in = response.body()) {
            open.set(in);
            int status = response.statusCode();
            if (status == 404 && session.isPresent()) {
                throw new SessionGone();
            }
            if (status / 100 != 2) {
                throw unavailable("answered HTTP " + status);
            }
            if ("initialize".equals(request.path("method").asText())) {
                session = response.headers().firstValue("Mcp-Session-Id");
            }
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (type.startsWith("text/event-stream")) {
                return stream(in, id);
            }
            if (!type.startsWith("application/json")) {
                throw unavailable("answered " + (type.isEmpty() ? "without a content type" : type)
                        + " instead of JSON or an event stream");
            }
            byte[] body = BodyBytes.read(in, response.headers().firstValueAsLong("Content-Length").orElse(-1),
                    maxMessageBytes);
            if (body.length > maxMessageBytes) {
                throw unavailable("answered more than " + maxMessageBytes + " bytes");
            }
            return answer(json.upstream(new String(body, java.nio.charset.StandardCharsets.UTF_8)), id)
                    .orElseThrow(() -> unavailable("answered something other than the response"));
        } catch (IOException e) {
            if (call.cancelled()) {
                throw McpError.of(McpError.CANCELLED, "Request cancelled");
            }
            throw e;
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
            try {
                HttpRequest.Builder builder = HttpRequest.newBuilder(config.url().orElseThrow())
                        .timeout(Duration.ofSeconds(1)).header("Mcp-Session-Id", id.get()).DELETE();
                config.headers().forEach((name, value) -> builder.header(name, value.reveal()));
                client.send(builder.build(), HttpResponse.BodyHandlers.discarding());
            } catch (IOException | InterruptedException | RuntimeException e) {
                LOGGER.fine(() -> "closing the session with MCP server '" + name() + "' failed");
            }
        }
        exchanges.shutdownNow();
        client.close();
    }
}
