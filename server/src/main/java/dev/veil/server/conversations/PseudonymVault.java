package dev.veil.server.conversations;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

import dev.veil.server.core.Ticker;
import dev.veil.spi.plugin.Pseudonyms;

/**
 * The pseudonym vault: the placeholders handed out per scope — a conversation a client names with
 * {@code x-veil-conversation-id} (per tenant), shared by its model calls and its MCP tool calls, or else one MCP
 * session — and the values they stand for, in memory only (never on disk), forgotten after an idle timeout. At most
 * {@code maxScopes} are kept: past that, idle ones are swept and then the least recently used one is dropped (its
 * placeholders then restore to nothing, which fails safe: the tool sees the placeholder, never another value).
 *
 * <p>Updates of one scope are serialized, so that two results pseudonymized at once never hand out one placeholder
 * for two values.
 */
public final class PseudonymVault {
    private final Map<String, Entry> scopes = new ConcurrentHashMap<>();
    private final int maxScopes;
    private final long idleNanos;
    private final Ticker ticker;

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        volatile Pseudonyms pseudonyms = Pseudonyms.NONE;
        volatile long lastUsed;
    }

    public PseudonymVault(int maxScopes, Duration idle, Ticker ticker) {
        this.maxScopes = maxScopes;
        this.idleNanos = idle.toNanos();
        this.ticker = ticker;
    }

    /** The scope of conversation {@code id} of {@code tenant}: one tenant's ids never reach another's values. */
    public static String conversation(String tenant, String id) {
        return "conversation:" + tenant.length() + ":" + tenant + ":" + id;
    }

    /** The placeholders of {@code scope} so far. */
    public Pseudonyms get(String scope) {
        Entry entry = scopes.get(scope);
        if (entry == null) {
            return Pseudonyms.NONE;
        }
        long now = ticker.nanos();
        if (now - entry.lastUsed > idleNanos) {
            scopes.remove(scope, entry);
            return Pseudonyms.NONE;
        }
        entry.lastUsed = now;
        return entry.pseudonyms;
    }

    /** Replaces the placeholders of {@code scope} by what {@code update} makes of them, alone in the scope. */
    public void update(String scope, UnaryOperator<Pseudonyms> update) {
        if (!scopes.containsKey(scope) && scopes.size() >= maxScopes) {
            evict();
        }
        Entry entry = scopes.computeIfAbsent(scope, key -> {
            Entry created = new Entry();
            created.lastUsed = ticker.nanos();
            return created;
        });
        entry.lock.lock();
        try {
            long now = ticker.nanos();
            Pseudonyms current = now - entry.lastUsed > idleNanos ? Pseudonyms.NONE : entry.pseudonyms;
            entry.pseudonyms = update.apply(current);
            entry.lastUsed = now;
        } finally {
            entry.lock.unlock();
        }
    }

    public void forget(String scope) {
        scopes.remove(scope);
    }

    private void evict() {
        long now = ticker.nanos();
        scopes.values().removeIf(entry -> now - entry.lastUsed > idleNanos);
        while (scopes.size() >= maxScopes) {
            scopes.entrySet().stream().min((a, b) -> Long.compare(a.getValue().lastUsed, b.getValue().lastUsed))
                    .ifPresent(oldest -> scopes.remove(oldest.getKey(), oldest.getValue()));
        }
    }
}
