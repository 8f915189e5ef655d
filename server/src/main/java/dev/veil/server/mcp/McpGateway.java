package dev.veil.server.mcp;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.veil.server.audit.AdminEvent;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.audit.ToolCallEvent;
import dev.veil.server.auth.Principal;
import dev.veil.server.config.McpConfig;
import dev.veil.server.config.OpaConfig;
import dev.veil.server.conversations.PseudonymVault;
import dev.veil.server.core.Ticker;
import dev.veil.server.policy.Decision;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.PiiFindings;
import dev.veil.spi.plugin.Pseudonyms;
import dev.veil.spi.plugin.PseudonymizedText;
import dev.veil.spi.plugin.TextPhase;
import io.opentelemetry.api.OpenTelemetry;

/**
 * The MCP gateway: Veil as an MCP server in front of the configured MCP servers. It outlives config reloads (the
 * upstream sessions, the stdio processes, the clients' sessions, the tool approvals and the pseudonym vault are
 * its own); each request brings what it needs of the running config ({@link Context}).
 *
 * <p>Every tool reaches a client only through three gates, for {@code tools/list} and again for every
 * {@code tools/call}: its definition's hash must be the approved one ({@link ToolPins}), the policy must allow it
 * for the caller ({@link ToolPolicy}), and personal data is pseudonymized in its results and restored in its
 * arguments from the same vault. Every call leaves one audit record.
 */
public final class McpGateway implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(McpGateway.class.getName());
    /** Tools, prompts and resources per page of a list Veil answers. */
    static final int PAGE_SIZE = 100;
    /** Pages Veil reads of an upstream's list before it stops: a server must not make one list call endless. */
    static final int MAX_UPSTREAM_PAGES = 50;
    static final String SEPARATOR = "__";
    private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Z][A-Z0-9_]*_[1-9][0-9]{0,8}>");
    private static final Pattern PLACEHOLDER_TYPE = Pattern.compile("<([A-Z][A-Z0-9_]*)_[1-9][0-9]{0,8}>");

    private final McpConfig config;
    private final Map<String, Upstream> upstreams;
    private final JsonRpc json;
    private final Sessions sessions;
    private final ToolPins pins;
    private final ToolPolicy policy;
    private final PseudonymVault vault;
    private final McpTelemetry telemetry;
    private final Optional<AuditLog> audit;
    private final InstantSource wall;
    private final Ticker ticker;
    private final Map<String, Catalog> catalogs = new ConcurrentHashMap<>();
    private final Set<String> reportedChanges = ConcurrentHashMap.newKeySet();
    private final ExecutorService decisions = Executors.newVirtualThreadPerTaskExecutor();

    /** A tool as an upstream defines it. */
    record Tool(String server, String name, ObjectNode definition, String hash) {
    }

    private record Catalog(List<Tool> tools, long fetchedAt) {
    }

    /**
     * What one client request brings from the running config.
     *
     * @param principal who asks
     * @param requestId the HTTP request's {@code x-veil-request-id}
     * @param server the server of {@code /mcp/{server}}, empty on {@code /mcp}
     * @param session the client's session
     * @param zeroRetention whether the client sent {@code x-veil-zero-retention: true}
     * @param metadata {@code x-veil-metadata}
     * @param conversation {@code x-veil-conversation-id}, when sent
     * @param pseudonymizers the configured plugins that pseudonymize text, in order
     */
    record Context(Principal principal, String requestId, Optional<String> server, Sessions.Session session,
                   boolean zeroRetention, Map<String, String> metadata, Optional<String> conversation,
                   List<TextPhase> pseudonymizers) {
        /** The vault scope of this request: its conversation within its tenant, else its session. */
        String scope() {
            return conversation.map(id -> PseudonymVault.conversation(principal.caller().tenant(), id))
                    .orElse("session:" + session.id());
        }

        Optional<String> dataClass() {
            return Optional.ofNullable(metadata.get("data_class"));
        }
    }

    private McpGateway(McpConfig config, Map<String, Upstream> upstreams, JsonRpc json, ToolPins pins,
                       ToolPolicy policy, PseudonymVault vault, Optional<AuditLog> audit,
                       OpenTelemetry openTelemetry, InstantSource wall, Ticker ticker) {
        this.config = config;
        this.upstreams = upstreams;
        this.json = json;
        this.sessions = new Sessions(config.maxSessions(), config.sessionIdleTimeout(), ticker);
        this.pins = pins;
        this.policy = policy;
        this.vault = vault;
        this.telemetry = new McpTelemetry(openTelemetry);
        this.audit = audit;
        this.wall = wall;
        this.ticker = ticker;
    }

    /**
     * Starts the gateway for {@code config}: connects to nothing yet (HTTP servers are reached on first use), starts
     * the stdio servers, opens the approvals in {@code dataDir} when there is any server.
     *
     * @param vault the pseudonym vault the model path uses too
     */
    public static McpGateway start(McpConfig config, Path dataDir, Optional<OpaConfig> opa, PseudonymVault vault,
                                   Optional<AuditLog> audit, OpenTelemetry openTelemetry, InstantSource wall,
                                   Ticker ticker) {
        JsonRpc json = new JsonRpc(config.maxJsonDepth());
        int maxBytes = (int) Math.min(Integer.MAX_VALUE - 16, config.maxMessageBytes());
        ToolPins pins = config.servers().isEmpty() ? ToolPins.inMemory() : ToolPins.open(dataDir);
        Map<String, Upstream> upstreams = new LinkedHashMap<>();
        try {
            for (McpConfig.Server server : config.servers()) {
                upstreams.put(server.name(), server.stdio() ? new StdioUpstream(server, json, maxBytes)
                        : new HttpUpstream(server, json, maxBytes));
            }
        } catch (RuntimeException e) {
            upstreams.values().forEach(Upstream::close);
            pins.close();
            throw e;
        }
        if (!config.servers().isEmpty()) {
            LOGGER.info(() -> "MCP gateway: " + upstreams.size() + " server(s) at /mcp: "
                    + String.join(", ", upstreams.keySet()));
        }
        return new McpGateway(config, upstreams, json, pins, new ToolPolicy(opa, config), vault, audit,
                openTelemetry, wall, ticker);
    }

    McpConfig config() {
        return config;
    }

    JsonRpc json() {
        return json;
    }

    Sessions sessions() {
        return sessions;
    }

    boolean serves(String server) {
        return upstreams.containsKey(server);
    }

    /** How many times the stdio server {@code name} was started; 0 for an HTTP server. */
    public int starts(String name) {
        return upstreams.get(name) instanceof StdioUpstream stdio ? stdio.starts() : 0;
    }

    /** Forgets the placeholders of a session that ended. */
    void ended(Sessions.Session session) {
        vault.forget("session:" + session.id());
    }

    /** The result of a request other than {@code initialize}. */
    JsonNode handle(Context context, JsonRpc.Message request, Call call) {
        return switch (request.method()) {
            case "ping", "logging/setLevel" -> JsonRpc.NODES.objectNode();
            case "tools/list" -> listTools(context, request.params());
            case "tools/call" -> callTool(context, request.params(), call);
            case "resources/list" -> listAll(context, "resources/list", "resources", "uri", request.params());
            case "resources/templates/list" -> listAll(context, "resources/templates/list", "resourceTemplates",
                    "uriTemplate", request.params());
            case "resources/read" -> readResource(context, request.params(), call);
            case "prompts/list" -> listAll(context, "prompts/list", "prompts", "name", request.params());
            case "prompts/get" -> getPrompt(context, request.params(), call);
            default -> throw McpError.of(McpError.METHOD_NOT_FOUND, "Method not found: Veil's MCP gateway serves "
                    + "initialize, ping, tools/list, tools/call, resources/list, resources/templates/list, "
                    + "resources/read, prompts/list and prompts/get");
        };
    }

    /** The capabilities Veil offers clients: what it relays. */
    static ObjectNode capabilities() {
        ObjectNode capabilities = JsonRpc.NODES.objectNode();
        capabilities.putObject("tools");
        capabilities.putObject("resources");
        capabilities.putObject("prompts");
        capabilities.putObject("logging");
        return capabilities;
    }

    private List<String> servers(Context context) {
        return context.server().map(List::of).orElseGet(() -> List.copyOf(upstreams.keySet()));
    }

    // Tools.

    private JsonNode listTools(Context context, ObjectNode params) {
        List<Tool> visible = new ArrayList<>();
        for (String server : servers(context)) {
            List<Tool> tools;
            try {
                tools = catalog(server, true);
            } catch (McpError e) {
                if (context.server().isPresent()) {
                    throw e;
                }
                // One server down must not take the others' tools away from every client of /mcp.
                // The code only: the message may be the upstream's own text.
                LOGGER.warning(() -> "MCP server '" + server + "' left out of a tools/list: error " + e.code());
                continue;
            }
            for (Tool tool : tools) {
                if (approved(tool)) {
                    visible.add(tool);
                }
            }
        }
        List<Future<Decision>> decided = new ArrayList<>();
        for (Tool tool : visible) {
            decided.add(decisions.submit(() -> policy.decide(context.principal(), new ToolPolicy.Question(
                    "tools/list", tool.server(), tool.name(), Optional.of(tool.hash()), Map.of(),
                    context.zeroRetention(), context.dataClass(), context.metadata()))));
        }
        List<JsonNode> allowed = new ArrayList<>();
        for (int i = 0; i < visible.size(); i++) {
            if (await(decided.get(i)).allow()) {
                ObjectNode definition = visible.get(i).definition().deepCopy();
                definition.put("name", exposedName(context, visible.get(i).server(), visible.get(i).name()));
                allowed.add(definition);
            }
        }
        return page(allowed, "tools", params);
    }

    private static Decision await(Future<Decision> decision) {
        try {
            return decision.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof McpError error) {
                throw error;
            }
            throw McpError.of(McpError.INTERNAL_ERROR, "The policy decision failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw McpError.of(McpError.CANCELLED, "Request cancelled");
        }
    }

    private JsonNode callTool(Context context, ObjectNode params, Call call) {
        long start = ticker.nanos();
        String exposed = params.path("name").isTextual() ? params.get("name").textValue() : "";
        JsonNode arguments = params.path("arguments");
        if (exposed.isEmpty() || !(arguments.isMissingNode() || arguments.isObject())) {
            throw McpError.of(McpError.INVALID_PARAMS, "Invalid params: tools/call needs a name and, optionally, "
                    + "arguments as an object");
        }
        Target target = target(context, exposed, "tool");
        McpTelemetry.Span span = telemetry.start(target.server(), target.name());
        Record record = new Record(target.server(), target.name());
        try {
            Tool tool = catalog(target.server(), false).stream().filter(t -> t.name().equals(target.name()))
                    .findFirst().orElseThrow(() -> McpError.of(McpError.INVALID_PARAMS, "Unknown tool: "
                            + exposed));
            record.hash = Optional.of(tool.hash());
            if (!approved(tool)) {
                record.outcome = "not_approved";
                throw McpError.of(McpError.NOT_APPROVED, "Tool " + exposed + " is not available: its definition "
                        + "changed since it was approved; an admin must approve the new definition");
            }
            Pseudonyms known = vault.get(context.scope());
            ObjectNode restoredArguments = arguments.isObject() ? (ObjectNode) restore(arguments, known)
                    : JsonRpc.NODES.objectNode();
            record.argumentFindings = argumentFindings(context, restoredArguments, arguments);
            Decision decision = policy.decide(context.principal(), new ToolPolicy.Question("tools/call",
                    target.server(), target.name(), Optional.of(tool.hash()), record.argumentFindings,
                    context.zeroRetention(), context.dataClass(), context.metadata()));
            record.decision(decision);
            List<String> blocked = blocked(decision, record.argumentFindings);
            if (!decision.allow() || !blocked.isEmpty()) {
                record.outcome = "denied";
                List<String> reasons = new ArrayList<>(decision.reasons());
                blocked.forEach(type -> reasons.add("the arguments hold " + type + ", which the policy blocks"));
                record.allowed = false;
                record.reasons = reasons;
                throw denied("Tool call denied by policy", reasons);
            }
            ObjectNode sent = params.deepCopy();
            sent.put("name", target.name());
            sent.set("arguments", restoredArguments);
            JsonNode result;
            try {
                result = upstreams.get(target.server()).call("tools/call", sent, call);
            } catch (McpError e) {
                throw upstreamError(context, e, record);
            }
            JsonNode pseudonymized = pseudonymize(context, result, record);
            record.outcome = result.path("isError").asBoolean(false) ? "tool_error" : "ok";
            return pseudonymized;
        } catch (McpError e) {
            throw failed(record, e);
        } finally {
            finish(context, record, span, start);
        }
    }

    /** {@code error}, its outcome noted in {@code record} unless a gate noted one already. */
    private static McpError failed(Record record, McpError error) {
        if (record.outcome.equals("error")) {
            record.outcome = switch (error.code()) {
                case McpError.REQUEST_TIMEOUT -> "timeout";
                case McpError.UPSTREAM_UNAVAILABLE -> "unavailable";
                case McpError.CANCELLED -> "cancelled";
                case McpError.POLICY_UNAVAILABLE -> "policy_unavailable";
                case McpError.POLICY_DENIED -> "denied";
                default -> "error";
            };
        }
        return error;
    }

    /** The evidence of one call that reached the gates: its span, its metrics, its audit record. */
    private void finish(Context context, Record record, McpTelemetry.Span span, long start) {
        long micros = (ticker.nanos() - start) / 1000;
        span.end(record.outcome, record.allowed, record.hash);
        telemetry.count(record.server, record.tool, record.outcome, micros);
        audit(context, record, micros);
    }

    /** What one tool call's audit record says, filled in as the call goes. */
    private static final class Record {
        final String server;
        final String tool;
        Optional<String> hash = Optional.empty();
        Optional<String> decisionId = Optional.empty();
        boolean allowed;
        boolean zeroRetention;
        List<String> reasons = List.of();
        Map<String, Integer> argumentFindings = Map.of();
        Map<String, Integer> resultFindings = new TreeMap<>();
        String outcome = "error";

        Record(String server, String tool) {
            this.server = server;
            this.tool = tool;
        }

        void decision(Decision decision) {
            decisionId = decision.decisionId();
            allowed = decision.allow();
            reasons = decision.reasons();
            zeroRetention = decision.zeroRetention().orElse(false);
        }
    }

    private void audit(Context context, Record record, long micros) {
        if (audit.isEmpty()) {
            return;
        }
        try {
            audit.get().record(new ToolCallEvent(context.requestId(), context.principal().caller().keyId(),
                    context.principal().caller().tenant(), context.principal().caller().team(),
                    context.principal().caller().user(), record.server, record.tool, record.hash, record.decisionId,
                    record.allowed, record.reasons, record.argumentFindings, record.resultFindings,
                    record.zeroRetention || context.zeroRetention(), micros, record.outcome));
        } catch (VeilException e) {
            LOGGER.severe(() -> "the tool call " + context.requestId() + " could not be recorded in the audit log");
            throw McpError.of(McpError.INTERNAL_ERROR, "The audit log could not record the call; retry later");
        }
    }

    /** The PII types a decision's {@code redact} blocks that the arguments hold. */
    private static List<String> blocked(Decision decision, Map<String, Integer> findings) {
        List<String> blocked = new ArrayList<>();
        decision.redact().forEach((type, mode) -> {
            if ("block".equals(mode) && findings.getOrDefault(type, 0) > 0) {
                blocked.add(type);
            }
        });
        return blocked;
    }

    private static McpError denied(String message, List<String> reasons) {
        ObjectNode data = JsonRpc.NODES.objectNode();
        ArrayNode list = data.putArray("reasons");
        reasons.forEach(list::add);
        return new McpError(McpError.POLICY_DENIED, 200, message + ": " + (reasons.isEmpty() ? "no reason given"
                : String.join("; ", reasons)), Optional.of(data));
    }

    /** The server and name a client's name stands for: {@code server__tool} on {@code /mcp}, as is on a server's. */
    private record Target(String server, String name) {
    }

    private Target target(Context context, String exposed, String what) {
        if (context.server().isPresent()) {
            return new Target(context.server().get(), exposed);
        }
        int separator = exposed.indexOf(SEPARATOR);
        if (separator <= 0 || !upstreams.containsKey(exposed.substring(0, separator))) {
            throw McpError.of(McpError.INVALID_PARAMS, "Unknown " + what + ": " + exposed + " (on /mcp, names are "
                    + "<server>" + SEPARATOR + "<name>)");
        }
        return new Target(exposed.substring(0, separator), exposed.substring(separator + SEPARATOR.length()));
    }

    private static String exposedName(Context context, String server, String name) {
        return context.server().isPresent() ? name : server + SEPARATOR + name;
    }

    /** The tools of {@code server}, fetched when {@code fresh} or when the last fetch is older than the TTL. */
    List<Tool> catalog(String server, boolean fresh) {
        Catalog cached = catalogs.get(server);
        long now = ticker.nanos();
        if (!fresh && cached != null && now - cached.fetchedAt() < config.definitionsTtl().toNanos()) {
            return cached.tools();
        }
        List<Tool> tools = new ArrayList<>();
        for (JsonNode item : listUpstream(server, "tools/list", "tools", Call.untracked())) {
            if (item.isObject() && item.path("name").isTextual()) {
                tools.add(new Tool(server, item.get("name").textValue(), (ObjectNode) item,
                        JsonRpc.definitionHash(item)));
            }
        }
        catalogs.put(server, new Catalog(List.copyOf(tools), now));
        return tools;
    }

    /** Every item of an upstream list, following its cursors. */
    private List<JsonNode> listUpstream(String server, String method, String field, Call call) {
        List<JsonNode> items = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        for (int page = 0; page < MAX_UPSTREAM_PAGES; page++) {
            ObjectNode params = JsonRpc.NODES.objectNode();
            cursor.ifPresent(c -> params.put("cursor", c));
            JsonNode result = upstreams.get(server).call(method, params, call);
            result.path(field).forEach(items::add);
            JsonNode next = result.get("nextCursor");
            if (next == null || !next.isTextual() || next.textValue().isEmpty()) {
                return items;
            }
            cursor = Optional.of(next.textValue());
        }
        return items;
    }

    // Pinned definitions.

    /**
     * Whether {@code tool}'s definition is the approved one. A tool seen for the first time is approved as it is
     * (unless config pins it); a changed definition is not, and its change is recorded once.
     */
    boolean approved(Tool tool) {
        Optional<String> pinned = config.server(tool.server()).map(s -> s.pins().get(tool.name()));
        if (pinned.isPresent()) {
            if (pinned.get().equals(tool.hash())) {
                return true;
            }
            changed(tool, pinned.get(), "config");
            return false;
        }
        Optional<ToolPins.Pin> pin = pins.pin(tool.server(), tool.name());
        if (pin.isEmpty()) {
            synchronized (pins) {
                pin = pins.pin(tool.server(), tool.name());
                if (pin.isEmpty()) {
                    pins.approve(new ToolPins.Pin(tool.server(), tool.name(), tool.hash(), wall.instant(),
                            "first-seen"));
                    adminRecord(AdminEvent.Actor.system("mcp"), "mcp.tool.approve", tool.server(), tool.name(),
                            Optional.empty(), tool.hash(), "applied: first seen");
                    return true;
                }
            }
        }
        if (pin.get().hash().equals(tool.hash())) {
            return true;
        }
        changed(tool, pin.get().hash(), "approval");
        return false;
    }

    private void changed(Tool tool, String approved, String source) {
        if (reportedChanges.add(tool.server() + "\u0000" + tool.name() + "\u0000" + tool.hash())) {
            LOGGER.warning(() -> "MCP tool " + tool.server() + SEPARATOR + tool.name() + " changed its definition "
                    + "(" + approved + " approved in " + source + ", " + tool.hash() + " served): hidden and refused "
                    + "until an admin approves it");
            adminRecord(AdminEvent.Actor.system("mcp"), "mcp.tool.change", tool.server(), tool.name(),
                    Optional.of(approved), tool.hash(), "refused: the definition differs from the approved one");
        }
    }

    private void adminRecord(AdminEvent.Actor actor, String action, String server, String tool,
                             Optional<String> before, String after, String outcome) {
        if (audit.isEmpty()) {
            return;
        }
        try {
            audit.get().record(new AdminEvent(AdminEvent.newId(), actor, action, Map.of("server", server, "tool",
                    tool), before.map(hash -> Map.<String, Object>of("hash", hash)),
                    Optional.of(Map.of("hash", after)), 0, outcome));
        } catch (VeilException e) {
            LOGGER.severe(() -> "the MCP tool event " + action + " could not be recorded in the audit log");
        }
    }

    /**
     * The state of every tool the servers serve now, and of every approval: for {@code GET /admin/mcp/tools}.
     * A server that cannot be reached is listed with its error.
     */
    public ObjectNode describeTools() {
        ObjectNode answer = JsonRpc.NODES.objectNode();
        ArrayNode data = answer.putArray("data");
        Set<String> seen = ConcurrentHashMap.newKeySet();
        for (String server : upstreams.keySet()) {
            List<Tool> tools;
            try {
                tools = catalog(server, true);
            } catch (McpError e) {
                ObjectNode row = data.addObject();
                row.put("server", server);
                row.put("error", e.getMessage());
                continue;
            }
            for (Tool tool : tools) {
                seen.add(server + "\u0000" + tool.name());
                boolean ok = approved(tool);
                ObjectNode row = data.addObject();
                row.put("server", server);
                row.put("tool", tool.name());
                row.put("name", server + SEPARATOR + tool.name());
                row.put("hash", tool.hash());
                Optional<String> pinned = config.server(server).map(s -> s.pins().get(tool.name()));
                if (pinned.isPresent()) {
                    row.put("approved_hash", pinned.get());
                    row.put("approved_by", "config");
                } else {
                    pins.pin(server, tool.name()).ifPresent(pin -> {
                        row.put("approved_hash", pin.hash());
                        row.put("approved_by", pin.approvedBy());
                        row.put("approved_at", pin.approvedAt().toString());
                    });
                }
                row.put("status", ok ? "approved" : "changed");
            }
        }
        for (ToolPins.Pin pin : pins.all()) {
            if (!seen.contains(pin.server() + "\u0000" + pin.tool())) {
                ObjectNode row = data.addObject();
                row.put("server", pin.server());
                row.put("tool", pin.tool());
                row.put("approved_hash", pin.hash());
                row.put("approved_by", pin.approvedBy());
                row.put("approved_at", pin.approvedAt().toString());
                row.put("status", "absent");
            }
        }
        return answer;
    }

    /** What an approval did. */
    public record Approval(String server, String tool, Optional<String> before, String after) {
    }

    /**
     * Approves {@code hash} as {@code tool}'s definition on {@code server}: it must be the hash the server serves
     * now, so that an admin approves what they looked at. The admin API records it.
     *
     * @throws VeilException 404 for an unknown server or tool, 409 when {@code hash} is not the current one or the
     *                       tool is pinned in config, 502 when the server cannot be reached
     */
    public Approval approve(String server, String tool, String hash, String approvedBy) {
        if (!upstreams.containsKey(server)) {
            throw new VeilException(dev.veil.spi.ErrorKind.NOT_FOUND, "No MCP server named '" + server + "' is "
                    + "configured").withCode("unknown_mcp_server");
        }
        if (config.server(server).map(s -> s.pins().containsKey(tool)).orElse(false)) {
            throw VeilException.clientError(409, "conflict", "Tool " + tool + " is pinned in config "
                    + "(veil.mcp.servers[].pins); change its pin there", "pinned_in_config", null);
        }
        List<Tool> tools;
        try {
            tools = catalog(server, true);
        } catch (McpError e) {
            throw new VeilException(dev.veil.spi.ErrorKind.UPSTREAM, "MCP server '" + server + "' could not be "
                    + "asked for its tools: " + e.getMessage()).withCode("mcp_server_unavailable");
        }
        Tool current = tools.stream().filter(t -> t.name().equals(tool)).findFirst().orElseThrow(() ->
                new VeilException(dev.veil.spi.ErrorKind.NOT_FOUND, "MCP server '" + server + "' serves no tool "
                        + "named '" + tool + "'").withCode("unknown_mcp_tool"));
        if (!current.hash().equals(hash)) {
            throw VeilException.clientError(409, "conflict", "The tool's current definition has hash "
                    + current.hash() + ", not " + hash + "; look at it with GET /admin/mcp/tools and approve that "
                    + "hash", "hash_mismatch", "hash");
        }
        Optional<ToolPins.Pin> before = pins.approve(new ToolPins.Pin(server, tool, hash, wall.instant(),
                approvedBy));
        reportedChanges.removeIf(key -> key.startsWith(server + "\u0000" + tool + "\u0000"));
        return new Approval(server, tool, before.map(ToolPins.Pin::hash), hash);
    }

    // Resources and prompts.

    private JsonNode listAll(Context context, String method, String field, String key, ObjectNode params) {
        List<JsonNode> items = new ArrayList<>();
        for (String server : servers(context)) {
            Decision decision = policy.decide(context.principal(), new ToolPolicy.Question(method, server, "*",
                    Optional.empty(), Map.of(), context.zeroRetention(), context.dataClass(), context.metadata()));
            if (!decision.allow()) {
                continue;
            }
            List<JsonNode> listed;
            try {
                listed = listUpstream(server, method, field, Call.untracked());
            } catch (McpError e) {
                if (context.server().isPresent()) {
                    throw e;
                }
                if (e.code() != McpError.METHOD_NOT_FOUND) {
                    LOGGER.warning(() -> "MCP server '" + server + "' left out of a " + method + ": error " + e.code());
                }
                continue;
            }
            for (JsonNode item : listed) {
                if (item.isObject() && field.equals("prompts") && item.path("name").isTextual()) {
                    ObjectNode renamed = item.deepCopy();
                    renamed.put("name", exposedName(context, server, item.get("name").textValue()));
                    items.add(renamed);
                } else if (item.isObject() && item.path(key).isTextual()) {
                    ObjectNode tagged = item.deepCopy();
                    if (context.server().isEmpty() && !field.equals("prompts")) {
                        ObjectNode meta = tagged.with("_meta");
                        meta.put("dev.veil/server", server);
                    }
                    items.add(tagged);
                }
            }
        }
        return page(items, field, params);
    }

    private JsonNode readResource(Context context, ObjectNode params, Call call) {
        if (!params.path("uri").isTextual()) {
            throw McpError.of(McpError.INVALID_PARAMS, "Invalid params: resources/read needs a uri");
        }
        String uri = params.get("uri").textValue();
        String server = context.server().orElseGet(() -> Optional.ofNullable(params.path("_meta")
                .path("dev.veil/server").textValue()).filter(upstreams::containsKey).orElseGet(() ->
                owner(uri)));
        // The record names the method, not the URI: a URI may carry a customer's id.
        return audited(context, new Record(server, "resources/read"), "resources/read", uri, record -> {
            JsonNode result = upstreams.get(server).call("resources/read", params.deepCopy(), call);
            return pseudonymize(context, result, record);
        });
    }

    /**
     * A resource read or prompt got: asked of the policy for {@code name}, then {@code send}, with the evidence of
     * a tool call.
     */
    private JsonNode audited(Context context, Record record, String method, String name,
                             java.util.function.Function<Record, JsonNode> send) {
        long start = ticker.nanos();
        McpTelemetry.Span span = telemetry.start(record.server, record.tool);
        try {
            Decision decision = policy.decide(context.principal(), new ToolPolicy.Question(method, record.server,
                    name, Optional.empty(), Map.of(), context.zeroRetention(), context.dataClass(),
                    context.metadata()));
            record.decision(decision);
            if (!decision.allow()) {
                record.outcome = "denied";
                throw denied("Request denied by policy", decision.reasons());
            }
            JsonNode result = send.apply(record);
            record.outcome = "ok";
            return result;
        } catch (McpError e) {
            throw failed(record, e);
        } finally {
            finish(context, record, span, start);
        }
    }

    /** The server whose resource list holds {@code uri}, asked in config order. */
    private String owner(String uri) {
        for (String server : upstreams.keySet()) {
            try {
                for (JsonNode item : listUpstream(server, "resources/list", "resources", Call.untracked())) {
                    if (uri.equals(item.path("uri").textValue())) {
                        return server;
                    }
                }
            } catch (McpError e) {
                LOGGER.fine(() -> "MCP server '" + server + "' could not list its resources");
            }
        }
        throw new McpError(-32002, 200, "Resource not found");
    }

    private JsonNode getPrompt(Context context, ObjectNode params, Call call) {
        if (!params.path("name").isTextual()) {
            throw McpError.of(McpError.INVALID_PARAMS, "Invalid params: prompts/get needs a name");
        }
        Target target = target(context, params.get("name").textValue(), "prompt");
        ObjectNode sent = params.deepCopy();
        sent.put("name", target.name());
        if (sent.path("arguments").isObject()) {
            sent.set("arguments", restore(sent.get("arguments"), vault.get(context.scope())));
        }
        return audited(context, new Record(target.server(), target.name()), "prompts/get", target.name(),
                record -> pseudonymize(context, upstreams.get(target.server()).call("prompts/get", sent, call),
                        record));
    }

    // Pages.

    private static JsonNode page(List<JsonNode> items, String field, ObjectNode params) {
        int offset = 0;
        JsonNode cursor = params.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(cursor.asText()),
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw McpError.of(McpError.INVALID_PARAMS, "Invalid params: unknown cursor");
            }
            if (offset < 0 || offset > items.size()) {
                throw McpError.of(McpError.INVALID_PARAMS, "Invalid params: unknown cursor");
            }
        }
        ObjectNode result = JsonRpc.NODES.objectNode();
        ArrayNode page = result.putArray(field);
        int end = Math.min(items.size(), offset + PAGE_SIZE);
        for (int i = offset; i < end; i++) {
            page.add(items.get(i));
        }
        if (end < items.size()) {
            result.put("nextCursor", Base64.getUrlEncoder().withoutPadding().encodeToString(
                    Integer.toString(end).getBytes(StandardCharsets.UTF_8)));
        }
        return result;
    }

    // Personal data.

    /** {@code node} with every placeholder {@code known} holds replaced by its value, in every string. */
    static JsonNode restore(JsonNode node, Pseudonyms known) {
        if (known.isEmpty()) {
            return node;
        }
        if (node.isTextual()) {
            String text = node.textValue();
            if (text.indexOf('<') < 0) {
                return node;
            }
            Matcher m = PLACEHOLDER.matcher(text);
            return TextNode.valueOf(m.replaceAll(match -> Matcher.quoteReplacement(known.original(match.group())
                    .orElse(match.group()))));
        }
        if (node.isObject()) {
            ObjectNode copy = JsonRpc.NODES.objectNode();
            node.properties().forEach(field -> copy.set(field.getKey(), restore(field.getValue(), known)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonRpc.NODES.arrayNode();
            node.forEach(item -> copy.add(restore(item, known)));
            return copy;
        }
        return node;
    }

    /**
     * PII counts by type in the arguments the tool will receive: what the pseudonymizing plugins find in them, or,
     * without one, the types of the placeholders restored.
     */
    private static Map<String, Integer> argumentFindings(Context context, JsonNode restored, JsonNode sent) {
        if (!context.pseudonymizers().isEmpty()) {
            PiiFindings findings = PiiFindings.NONE;
            String text = JsonRpc.text(restored);
            for (TextPhase plugin : context.pseudonymizers()) {
                findings = findings.plus(withLoader(plugin, () -> plugin.pseudonymize(text, Pseudonyms.NONE))
                        .findings());
            }
            return findings.counts();
        }
        Map<String, Integer> counts = new TreeMap<>();
        Matcher m = PLACEHOLDER_TYPE.matcher(JsonRpc.text(sent));
        while (m.find()) {
            counts.merge(m.group(1), 1, Integer::sum);
        }
        return counts;
    }

    /** {@code result} with personal data in its texts replaced by placeholders of the request's scope. */
    private JsonNode pseudonymize(Context context, JsonNode result, Record record) {
        if (context.pseudonymizers().isEmpty()) {
            return result;
        }
        JsonNode[] out = new JsonNode[1];
        vault.update(context.scope(), known -> {
            Pseudonyms[] current = {known};
            out[0] = rewrite(result, text -> {
                String rewritten = text;
                for (TextPhase plugin : context.pseudonymizers()) {
                    String input = rewritten;
                    PseudonymizedText done = withLoader(plugin, () -> plugin.pseudonymize(input, current[0]));
                    current[0] = done.pseudonyms();
                    done.findings().counts().forEach((type, n) -> record.resultFindings.merge(type, n,
                            Integer::sum));
                    rewritten = done.text();
                }
                return rewritten;
            });
            return current[0];
        });
        return out[0];
    }

    /**
     * {@code error} with its message pseudonymized when the tool's server wrote it: a tool's error may quote the
     * customer it could not find. Veil's own errors (timeout, unavailable, cancelled) carry no such text.
     */
    private McpError upstreamError(Context context, McpError error, Record record) {
        switch (error.code()) {
            case McpError.REQUEST_TIMEOUT, McpError.UPSTREAM_UNAVAILABLE, McpError.CANCELLED -> {
                return error;
            }
            default -> {
                JsonNode message = pseudonymize(context, TextNode.valueOf(error.getMessage()), record);
                return new McpError(error.code(), error.status(), message.asText(), error.data().map(data ->
                        pseudonymize(context, data, record)));
            }
        }
    }

    /** Every string in {@code node} (object keys aside) as {@code rewrite} makes it. */
    private static JsonNode rewrite(JsonNode node, java.util.function.UnaryOperator<String> rewrite) {
        if (node.isTextual()) {
            String text = node.textValue();
            String rewritten = rewrite.apply(text);
            return rewritten.equals(text) ? node : TextNode.valueOf(rewritten);
        }
        if (node.isObject()) {
            ObjectNode copy = JsonRpc.NODES.objectNode();
            node.properties().forEach(field -> copy.set(field.getKey(), skipped(field.getKey())
                    ? field.getValue() : rewrite(field.getValue(), rewrite)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonRpc.NODES.arrayNode();
            node.forEach(item -> copy.add(rewrite(item, rewrite)));
            return copy;
        }
        return node;
    }

    /** Fields that carry no content: protocol values, binary data, identifiers. */
    private static boolean skipped(String field) {
        return switch (field) {
            case "type", "mimeType", "uri", "blob", "data", "_meta", "annotations" -> true;
            default -> false;
        };
    }

    private static <T> T withLoader(Object plugin, java.util.function.Supplier<T> call) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(plugin.getClass().getClassLoader());
        try {
            return call.get();
        } catch (VeilException e) {
            throw McpError.of(McpError.INTERNAL_ERROR, e.getMessage());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** The instant approvals are stamped with, for the admin API. */
    Instant now() {
        return wall.instant();
    }

    @Override
    public void close() {
        decisions.shutdownNow();
        upstreams.values().forEach(upstream -> {
            try {
                upstream.close();
            } catch (RuntimeException e) {
                LOGGER.warning(() -> "MCP server '" + upstream.name() + "' did not close cleanly");
            }
        });
        policy.close();
        pins.close();
    }
}
