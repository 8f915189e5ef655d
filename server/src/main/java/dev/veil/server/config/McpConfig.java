package dev.veil.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code veil.mcp}: the MCP gateway, which serves MCP clients at {@code /mcp} and {@code /mcp/{server}} in front of
 * the MCP servers listed here. Without the section (or with no server) the gateway serves nothing but errors.
 *
 * @param servers the upstream MCP servers, in config order; names unique
 * @param resource the gateway's own resource URL ({@code https://veil.example.com/mcp}): what RFC 9728 metadata names
 *                 and what a token's {@code aud} must contain (RFC 8707); empty to take each issuer's audience
 * @param decisionPath the decision document the policy gives for tools, under {@code /v1/data/}
 * @param timeout how long one upstream request may take, unless its server sets its own
 * @param maxSessions how many client sessions may be open at once
 * @param sessionIdleTimeout how long an unused session is kept
 * @param maxMessageBytes the largest JSON-RPC message Veil reads from a client or an upstream
 * @param maxJsonDepth the deepest nesting a message may have
 * @param definitionsTtl how long a server's tool list is reused before a call fetches it again; 0, the default,
 *                       fetches it for every call so that a changed definition is refused at once
 */
public record McpConfig(List<Server> servers, Optional<URI> resource, String decisionPath, Duration timeout,
                        int maxSessions, Duration sessionIdleTimeout, long maxMessageBytes, int maxJsonDepth,
                        Duration definitionsTtl) {
    public static final String DEFAULT_DECISION_PATH = "veil/mcp/decision";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_SESSIONS = 1000;
    public static final Duration DEFAULT_SESSION_IDLE_TIMEOUT = Duration.ofMinutes(30);
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 4L << 20;
    public static final int DEFAULT_MAX_JSON_DEPTH = 64;
    private static final Set<String> KEYS = Set.of("servers", "resource", "decision-path", "timeout", "max-sessions",
            "session-idle-timeout", "max-message-bytes", "max-json-depth", "definitions-ttl");
    private static final Set<String> SERVER_KEYS = Set.of("name", "url", "headers", "command", "env", "timeout",
            "pins");

    public McpConfig {
        servers = List.copyOf(servers);
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(decisionPath, "decisionPath");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(sessionIdleTimeout, "sessionIdleTimeout");
        Objects.requireNonNull(definitionsTtl, "definitionsTtl");
    }

    /** No {@code veil.mcp}: no upstream server. */
    public static McpConfig none() {
        return new McpConfig(List.of(), Optional.empty(), DEFAULT_DECISION_PATH, DEFAULT_TIMEOUT,
                DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_IDLE_TIMEOUT, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_JSON_DEPTH,
                Duration.ZERO);
    }

    /** The server named {@code name}. */
    public Optional<Server> server(String name) {
        return servers.stream().filter(server -> server.name().equals(name)).findFirst();
    }

    /**
     * One upstream MCP server: {@code veil.mcp.servers[i]}, reached either over Streamable HTTP ({@code url}) or over
     * stdio, as a process Veil starts and restarts ({@code command}).
     *
     * @param name {@code name}: what clients see in {@code /mcp/{name}} and before {@code __} in tool names
     * @param url {@code url}: the server's Streamable HTTP endpoint
     * @param headers {@code headers}: sent with every request to {@code url} (its credentials)
     * @param command {@code command}: the program and its arguments
     * @param env {@code env}: environment variables the program gets besides Veil's
     * @param timeout {@code timeout}: how long one request to it may take
     * @param pins {@code pins}: tool name → the {@code sha256:} hash of its approved definition; a tool pinned here
     *             is served only with this definition
     */
    public record Server(String name, Optional<URI> url, Map<String, Secret> headers, List<String> command,
                         Map<String, String> env, Duration timeout, Map<String, String> pins) {
        public Server {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(url, "url");
            headers = Map.copyOf(headers);
            command = List.copyOf(command);
            env = Map.copyOf(env);
            Objects.requireNonNull(timeout, "timeout");
            pins = Map.copyOf(pins);
        }

        /** Whether Veil starts this server as a process. */
        public boolean stdio() {
            return url.isEmpty();
        }
    }

    static McpConfig from(ConfigReader node) {
        if (!node.exists()) {
            return none();
        }
        node.rejectUnknown(KEYS);
        Optional<URI> resource = node.url("resource");
        String path = node.string("decision-path").orElse(DEFAULT_DECISION_PATH);
        if (!path.matches("[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*")) {
            throw node.invalid("decision-path", "'" + path + "' is not a data path; write for example "
                    + DEFAULT_DECISION_PATH);
        }
        Duration timeout = node.positiveDuration("timeout").orElse(DEFAULT_TIMEOUT);
        int maxSessions = node.integer("max-sessions").orElse(DEFAULT_MAX_SESSIONS);
        if (maxSessions < 1) {
            throw node.invalid("max-sessions", "must be at least 1; the default is " + DEFAULT_MAX_SESSIONS);
        }
        Duration idle = node.positiveDuration("session-idle-timeout").orElse(DEFAULT_SESSION_IDLE_TIMEOUT);
        long maxMessageBytes = node.size("max-message-bytes").orElse(DEFAULT_MAX_MESSAGE_BYTES);
        if (maxMessageBytes < 1024 || maxMessageBytes > 1L << 30) {
            throw node.invalid("max-message-bytes", "must be between 1KiB and 1GiB, got " + maxMessageBytes
                    + "; the default is 4MiB");
        }
        int depth = node.integer("max-json-depth").orElse(DEFAULT_MAX_JSON_DEPTH);
        if (depth < 8 || depth > 1000) {
            throw node.invalid("max-json-depth", "must be between 8 and 1000, got " + depth + "; the default is "
                    + DEFAULT_MAX_JSON_DEPTH);
        }
        Duration ttl = node.duration("definitions-ttl").orElse(Duration.ZERO);
        if (ttl.isNegative()) {
            throw node.invalid("definitions-ttl", "must not be negative; 0, the default, checks every call");
        }
        List<Server> servers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ConfigReader item : node.items("servers", "must be a list of servers, for example [{name: crm, url: "
                + "\"https://crm.internal/mcp\"}]")) {
            Server server = server(item, timeout);
            if (!names.add(server.name())) {
                throw item.invalid("name", "'" + server.name() + "' names two servers; give each its own name");
            }
            servers.add(server);
        }
        return new McpConfig(servers, resource, path, timeout, maxSessions, idle, maxMessageBytes, depth, ttl);
    }

    private static Server server(ConfigReader node, Duration defaultTimeout) {
        node.rejectUnknown(SERVER_KEYS);
        String name = node.string("name").orElseThrow(() -> node.invalid("name", "missing; name the server, for "
                + "example name: crm"));
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9-]{0,62}")) {
            throw node.invalid("name", "'" + name + "' must be letters, digits and '-' (no '_': tools are named "
                    + "<server>__<tool>), at most 63, starting with a letter or digit");
        }
        Optional<URI> url = node.url("url");
        List<String> command = node.get("command").exists() ? node.strings("command") : List.of();
        if (url.isPresent() == !command.isEmpty()) {
            throw node.invalid(url.isPresent() ? "url and command are both set; a server is reached over HTTP (url) "
                    + "or started by Veil (command), so keep one" : "needs url (a Streamable HTTP endpoint, for "
                    + "example url: \"https://crm.internal/mcp\") or command (a program Veil starts, for example "
                    + "command: [python3, server.py])");
        }
        Map<String, Secret> headers = new LinkedHashMap<>();
        node.stringMap("headers").forEach((header, value) -> headers.put(header, new Secret(value)));
        if (!headers.isEmpty() && url.isEmpty()) {
            throw node.invalid("headers", "apply to url only; pass a stdio server its credentials through env");
        }
        Map<String, String> env = node.stringMap("env");
        if (!env.isEmpty() && url.isPresent()) {
            throw node.invalid("env", "applies to command only; send an HTTP server its credentials as headers");
        }
        Map<String, String> pins = node.stringMap("pins");
        pins.forEach((tool, hash) -> {
            if (!hash.matches("sha256:[0-9a-f]{64}")) {
                throw node.get("pins").invalid(tool, "must be sha256: and 64 lower-case hex digits, as GET "
                        + "/admin/mcp/tools shows a definition's hash");
            }
        });
        return new Server(name, url, headers, command, env,
                node.positiveDuration("timeout").orElse(defaultTimeout), pins);
    }
}
