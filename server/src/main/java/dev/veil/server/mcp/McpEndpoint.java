package dev.veil.server.mcp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.auth.Principal;
import dev.veil.server.core.SafeThrowables;
import dev.veil.server.pipeline.Gateway;
import dev.veil.server.pipeline.RequestBodies;
import dev.veil.server.pipeline.RequestControls;
import dev.veil.server.pipeline.RequestIds;
import dev.veil.server.pipeline.VeilHeaders;
import dev.veil.server.plugins.PluginChain;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.TextPhase;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The MCP Streamable HTTP transport at {@code /mcp} and {@code /mcp/{server}}: {@code POST} carries one JSON-RPC
 * message (or, in revision 2025-03-26, a batch), answered as JSON or, for a tool call that asks for progress, as an
 * SSE stream of its progress notifications and then its response; {@code DELETE} ends a session; {@code GET} (a
 * stream of server-initiated messages) is not offered, so it is a 405.
 *
 * <p>Callers authenticate as on the model API (virtual key or JSON Web Token); without valid credentials the answer
 * is a 401 whose {@code WWW-Authenticate} points at the protected-resource metadata (RFC 9728). Sessions are bound to
 * the principal and the path that opened them.
 */
public final class McpEndpoint implements Handler {
    private static final Logger LOGGER = Logger.getLogger(McpEndpoint.class.getName());
    /** The revisions Veil speaks, latest first. */
    static final List<String> VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26");
    static final HeaderName SESSION = HeaderNames.create("Mcp-Session-Id");
    static final HeaderName VERSION = HeaderNames.create("MCP-Protocol-Version");
    static final HeaderName API_KEY = HeaderNames.create("x-api-key");
    private static final String METADATA_PATH = "/.well-known/oauth-protected-resource";
    static final int MAX_QUEUED_PROGRESS = 256;
    /** How often a stream without news checks whether its call has ended. */
    private static final java.time.Duration PROGRESS_POLL = java.time.Duration.ofMillis(50);

    private final Gateway gateway;
    private final McpGateway mcp;

    public McpEndpoint(Gateway gateway, McpGateway mcp) {
        this.gateway = gateway;
        this.mcp = mcp;
    }

    @Override
    public void handle(ServerRequest request, ServerResponse response) {
        String requestId = RequestIds.next();
        response.header(VeilHeaders.REQUEST_ID, requestId);
        Optional<JsonNode> id = Optional.empty();
        try {
            Optional<String> server = request.path().pathParameters().contains("server")
                    ? Optional.of(request.path().pathParameters().get("server")) : Optional.empty();
            if (server.isPresent() && !mcp.serves(server.get())) {
                throw new McpError(McpError.INVALID_REQUEST, 404, "Unknown MCP server: Veil serves "
                        + "/mcp and /mcp/<server> for the servers of veil.mcp.servers");
            }
            String path = server.map(s -> "/mcp/" + s).orElse("/mcp");
            Principal principal = authenticate(request);
            Method method = request.prologue().method();
            if (method == Method.DELETE) {
                String session = request.headers().first(SESSION).orElseThrow(() -> new McpError(
                        McpError.INVALID_REQUEST, 400, "Bad Request: Mcp-Session-Id header is required"));
                Optional<Sessions.Session> found = mcp.sessions().find(session, owner(principal), path);
                if (found.isEmpty() || !mcp.sessions().close(session, owner(principal), path)) {
                    throw new McpError(McpError.INVALID_REQUEST, 404, "Session not found");
                }
                mcp.ended(found.get());
                response.status(Status.OK_200).send();
                return;
            }
            if (method != Method.POST) {
                response.header(HeaderNames.ALLOW, "POST, DELETE");
                throw new McpError(McpError.INVALID_REQUEST, 405, "Method not allowed: Veil offers no stream of "
                        + "server-initiated messages; POST requests, DELETE to end a session");
            }
            checkHeaders(request);
            byte[] body;
            try {
                body = RequestBodies.read(request, mcp.config().maxMessageBytes());
            } catch (VeilException e) {
                throw new McpError(McpError.INVALID_REQUEST, e.status(), "Invalid Request: " + e.getMessage());
            }
            JsonNode node = mcp.json().parse(body);
            if (node.isArray()) {
                batch(request, response, principal, path, server, requestId, (ArrayNode) node);
                return;
            }
            JsonRpc.Message message = JsonRpc.message(node);
            id = message.id();
            if (message.kind() == JsonRpc.Kind.REQUEST && message.method().equals("initialize")) {
                initialize(response, principal, path, message);
                return;
            }
            Sessions.Session session = session(request, principal, path);
            if (message.kind() != JsonRpc.Kind.REQUEST) {
                received(session, message);
                response.status(Status.ACCEPTED_202).send();
                return;
            }
            McpGateway.Context context = context(request, principal, requestId, server, session);
            if (message.method().equals("tools/call") && wantsProgress(request, message)) {
                stream(response, context, message);
                return;
            }
            JsonNode result = call(context, message, Call.untracked());
            send(response, 200, JsonRpc.result(message.id().orElseThrow(), result));
        } catch (McpError e) {
            send(response, e.status(), JsonRpc.error(id.orElse(null), e));
        } catch (VeilException e) {
            McpError error = fromVeil(e);
            if (error.status() == 401) {
                response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer resource_metadata=\""
                        + ProtectedResource.base(request, mcp.config()) + METADATA_PATH + "\"");
            }
            send(response, error.status(), JsonRpc.error(id.orElse(null), error));
        } catch (RuntimeException e) {
            LOGGER.warning(() -> "MCP request " + requestId + " failed: " + SafeThrowables.describe(e));
            send(response, 500, JsonRpc.error(id.orElse(null), new McpError(McpError.INTERNAL_ERROR, 500,
                    "Veil failed to process the request; quote request id " + requestId)));
        }
    }

    private static McpError fromVeil(VeilException e) {
        int code = switch (e.kind()) {
            case AUTHENTICATION -> McpError.UNAUTHORIZED;
            case PERMISSION_DENIED -> McpError.POLICY_DENIED;
            case INVALID_REQUEST -> McpError.INVALID_REQUEST;
            default -> McpError.INTERNAL_ERROR;
        };
        return new McpError(code, e.status(), e.getMessage());
    }

    private Principal authenticate(ServerRequest request) {
        Optional<String> authorization = request.headers().first(HeaderNames.AUTHORIZATION);
        Optional<String> apiKey = request.headers().first(API_KEY);
        if (authorization.isEmpty() && apiKey.isEmpty()) {
            throw new VeilException(ErrorKind.AUTHENTICATION, "Missing credentials: send 'Authorization: Bearer "
                    + "<key or token>'").withCode("missing_api_key");
        }
        return gateway.authenticator().principal(apiKey, authorization, mcp.config().resource().map(Object::toString));
    }

    /** Sessions belong to the caller that opened them: a key, or a token's issuer-mapped user. */
    private static String owner(Principal principal) {
        return principal.source() + ":" + principal.caller().keyId() + ":" + principal.caller().tenant() + ":"
                + principal.caller().user().orElse("");
    }

    private static void checkHeaders(ServerRequest request) {
        String type = request.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new McpError(McpError.INVALID_REQUEST, 415, "Unsupported Media Type: send Content-Type: "
                    + "application/json");
        }
        String accept = String.join(",", request.headers().all(HeaderNames.ACCEPT, List::of));
        if (!accept.isEmpty() && !accept.contains("application/json") && !accept.contains("*/*")) {
            throw new McpError(McpError.INVALID_REQUEST, 406, "Not Acceptable: accept application/json and "
                    + "text/event-stream");
        }
    }

    private void initialize(ServerResponse response, Principal principal, String path, JsonRpc.Message message) {
        JsonNode requested = message.params().path("protocolVersion");
        if (!requested.isTextual()) {
            throw McpError.of(McpError.INVALID_PARAMS, "Invalid params: initialize needs a protocolVersion");
        }
        String version = VERSIONS.contains(requested.textValue()) ? requested.textValue() : VERSIONS.getFirst();
        Sessions.Session session = mcp.sessions().open(owner(principal), path, version);
        ObjectNode result = JsonRpc.NODES.objectNode();
        result.put("protocolVersion", version);
        result.set("capabilities", McpGateway.capabilities());
        ObjectNode info = result.putObject("serverInfo");
        info.put("name", "veil");
        info.put("title", "Veil MCP gateway");
        info.put("version", Optional.ofNullable(McpEndpoint.class.getPackage().getImplementationVersion())
                .orElse("dev"));
        result.put("instructions", "Tools of the servers Veil fronts, as the policy allows them for you; personal "
                + "data in results is replaced by placeholders such as <PERSON_1>, which you may pass back in "
                + "arguments.");
        response.header(SESSION, session.id());
        send(response, 200, JsonRpc.result(message.id().orElseThrow(), result));
    }

    private Sessions.Session session(ServerRequest request, Principal principal, String path) {
        String id = request.headers().first(SESSION).orElseThrow(() -> new McpError(McpError.INVALID_REQUEST, 400,
                "Bad Request: Mcp-Session-Id header is required; send initialize first"));
        Sessions.Session session = mcp.sessions().find(id, owner(principal), path).orElseThrow(() ->
                new McpError(McpError.INVALID_REQUEST, 404, "Session not found: it ended or expired; send "
                        + "initialize again"));
        Optional<String> version = request.headers().first(VERSION);
        if (version.isPresent() && !VERSIONS.contains(version.get())) {
            throw new McpError(McpError.INVALID_REQUEST, 400, "Bad Request: unsupported MCP-Protocol-Version; "
                    + "Veil speaks " + String.join(", ", VERSIONS));
        }
        return session;
    }

    private static void received(Sessions.Session session, JsonRpc.Message message) {
        if (message.kind() == JsonRpc.Kind.NOTIFICATION && message.method().equals("notifications/cancelled")) {
            JsonNode requestId = message.params().get("requestId");
            if (requestId != null) {
                session.cancel(requestId);
            }
        }
    }

    private McpGateway.Context context(ServerRequest request, Principal principal, String requestId,
                                       Optional<String> server, Sessions.Session session) {
        Map<String, String> metadata;
        boolean zeroRetention;
        Optional<String> conversation;
        try {
            metadata = RequestControls.metadata(request);
            zeroRetention = RequestControls.zeroRetention(request);
            conversation = RequestControls.conversationId(request);
        } catch (VeilException e) {
            throw new McpError(McpError.INVALID_REQUEST, 400, "Invalid Request: " + e.getMessage());
        }
        List<TextPhase> pseudonymizers = gateway.plugins().plugins().stream().map(PluginChain.ConfiguredPlugin::plugin)
                .filter(TextPhase.class::isInstance).map(TextPhase.class::cast).toList();
        return new McpGateway.Context(principal, requestId, server, session, zeroRetention, metadata, conversation,
                pseudonymizers);
    }

    private JsonNode call(McpGateway.Context context, JsonRpc.Message message, Call call) {
        JsonNode requestId = message.id().orElseThrow();
        context.session().track(requestId, call);
        try {
            return mcp.handle(context, message, call);
        } finally {
            context.session().untrack(requestId);
        }
    }

    private static boolean wantsProgress(ServerRequest request, JsonRpc.Message message) {
        JsonNode token = message.params().path("_meta").get("progressToken");
        String accept = String.join(",", request.headers().all(HeaderNames.ACCEPT, List::of));
        return token != null && accept.contains("text/event-stream");
    }

    /**
     * A tool call answered as SSE: its progress notifications as they come, then its response. The call runs on its
     * own thread and hands notifications over through a bounded queue, so that a client that does not read its
     * stream holds up its own answer only, never the upstream's reader (one stdio process serves every client);
     * past {@value #MAX_QUEUED_PROGRESS} unsent notifications, newer ones are dropped.
     */
    private void stream(ServerResponse response, McpGateway.Context context, JsonRpc.Message message) {
        BlockingQueue<ObjectNode> progress = new ArrayBlockingQueue<>(MAX_QUEUED_PROGRESS);
        Call call = new Call(params -> progress.offer(JsonRpc.notification("notifications/progress", params)));
        JsonNode id = message.id().orElseThrow();
        CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
        Thread.ofVirtual().name("veil-mcp-call-" + context.requestId()).start(() -> {
            try {
                answer.complete(JsonRpc.result(id, call(context, message, call)));
            } catch (McpError e) {
                answer.complete(JsonRpc.error(id, e));
            } catch (RuntimeException | Error e) {
                answer.complete(JsonRpc.error(id, McpError.of(McpError.INTERNAL_ERROR, "Veil failed to process "
                        + "the call; quote request id " + context.requestId())));
            }
        });
        response.status(Status.OK_200);
        response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try (OutputStream out = response.outputStream()) {
            while (!answer.isDone()) {
                ObjectNode next = progress.poll(PROGRESS_POLL.toMillis(), TimeUnit.MILLISECONDS);
                if (next != null) {
                    event(out, next);
                }
            }
            for (ObjectNode next = progress.poll(); next != null; next = progress.poll()) {
                event(out, next);
            }
            event(out, answer.join());
        } catch (IOException | java.io.UncheckedIOException e) {
            // The client left: its call is cancelled with it.
            call.cancel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel();
        }
    }

    private static void event(OutputStream out, ObjectNode message) {
        try {
            out.write("event: message\ndata: ".getBytes(StandardCharsets.US_ASCII));
            out.write(JsonRpc.bytes(message));
            out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A batch (revision 2025-03-26): each request answered in turn, in one JSON array. */
    private void batch(ServerRequest request, ServerResponse response, Principal principal, String path,
                       Optional<String> server, String requestId, ArrayNode batch) {
        if (batch.isEmpty()) {
            throw new McpError(McpError.INVALID_REQUEST, 400, "Invalid Request: an empty batch");
        }
        Sessions.Session session = session(request, principal, path);
        if (VERSIONS.indexOf(session.version()) < VERSIONS.indexOf("2025-03-26")) {
            throw new McpError(McpError.INVALID_REQUEST, 400, "Invalid Request: batches are not part of protocol "
                    + "revision " + session.version() + "; send one message per request");
        }
        McpGateway.Context context = context(request, principal, requestId, server, session);
        ArrayNode answers = JsonRpc.NODES.arrayNode();
        for (JsonNode item : batch) {
            Optional<JsonNode> itemId = Optional.empty();
            try {
                JsonRpc.Message message = JsonRpc.message(item);
                itemId = message.id();
                if (message.kind() != JsonRpc.Kind.REQUEST) {
                    received(session, message);
                    continue;
                }
                if (message.method().equals("initialize")) {
                    throw new McpError(McpError.INVALID_REQUEST, 400, "Invalid Request: initialize must not be "
                            + "part of a batch");
                }
                answers.add(JsonRpc.result(itemId.orElseThrow(), call(context, message, Call.untracked())));
            } catch (McpError e) {
                answers.add(JsonRpc.error(itemId.orElse(null), e));
            }
        }
        if (answers.isEmpty()) {
            response.status(Status.ACCEPTED_202).send();
        } else {
            send(response, 200, answers);
        }
    }

    /** Answers a request no MCP route takes (an unknown method or path under {@code /mcp}) in the JSON-RPC shape. */
    public static void refuse(ServerResponse response, int status, String message) {
        send(response, status, JsonRpc.error(null, new McpError(McpError.INVALID_REQUEST, status, message)));
    }

    private static void send(ServerResponse response, int status, JsonNode body) {
        response.status(Status.create(status));
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(JsonRpc.bytes(body));
    }
}
