package dev.veil.server.mcp;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.server.core.Ticker;

/**
 * The clients' MCP sessions: created by {@code initialize}, named by an unguessable {@code Mcp-Session-Id}, bound to
 * the principal that opened them and to the path they were opened on, forgotten after an idle timeout or a
 * {@code DELETE}. At most {@code max} are open: past that, idle ones are swept, and if none is, {@code initialize} is
 * refused.
 */
final class Sessions {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final int max;
    private final long idleNanos;
    private final Ticker ticker;

    /**
     * One client session.
     *
     * @param id its {@code Mcp-Session-Id}
     * @param owner who opened it: only they may use it
     * @param path the path it was opened on ({@code /mcp} or {@code /mcp/{server}})
     * @param version the protocol revision agreed on
     */
    record Session(String id, String owner, String path, String version, Map<String, Call> inFlight,
                   long[] lastUsed) {
        /** Follows a client request by its id, so that a cancellation can find it. */
        void track(JsonNode requestId, Call call) {
            inFlight.put(requestId.toString(), call);
        }

        void untrack(JsonNode requestId) {
            inFlight.remove(requestId.toString());
        }

        /** Cancels the client request {@code requestId}, when it is in flight. */
        void cancel(JsonNode requestId) {
            Call call = inFlight.remove(requestId.toString());
            if (call != null) {
                call.cancel();
            }
        }
    }

    Sessions(int max, Duration idle, Ticker ticker) {
        this.max = max;
        this.idleNanos = idle.toNanos();
        this.ticker = ticker;
    }

    Session open(String owner, String path, String version) {
        if (sessions.size() >= max) {
            sweep();
            if (sessions.size() >= max) {
                throw new McpError(McpError.OVERLOADED, 503, "Too many MCP sessions are open (veil.mcp.max-sessions "
                        + max + "); close unused sessions with DELETE, or retry later");
            }
        }
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        Session session = new Session(HexFormat.of().formatHex(bytes), owner, path, version,
                new ConcurrentHashMap<>(), new long[] {ticker.nanos()});
        sessions.put(session.id(), session);
        return session;
    }

    /** The open session {@code id} of {@code owner} on {@code path}; another's, or an expired one, is absent. */
    Optional<Session> find(String id, String owner, String path) {
        Session session = sessions.get(id);
        if (session == null || !session.owner().equals(owner) || !session.path().equals(path)) {
            return Optional.empty();
        }
        long now = ticker.nanos();
        if (now - session.lastUsed()[0] > idleNanos) {
            sessions.remove(id);
            return Optional.empty();
        }
        session.lastUsed()[0] = now;
        return Optional.of(session);
    }

    boolean close(String id, String owner, String path) {
        Optional<Session> session = find(id, owner, path);
        session.ifPresent(s -> {
            sessions.remove(s.id());
            s.inFlight().values().forEach(Call::cancel);
        });
        return session.isPresent();
    }

    int size() {
        return sessions.size();
    }

    private void sweep() {
        long now = ticker.nanos();
        sessions.values().removeIf(session -> now - session.lastUsed()[0] > idleNanos);
    }
}
