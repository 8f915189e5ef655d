package dev.veil.server.accounting;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where accounting state lives: keys (salted hashes only), tenants, teams, budgets, spend and sent alerts. Only admin
 * calls, startup and the background spend writer call it, never the request path, which reads in-memory copies; so
 * every method may block on I/O. Implementations are safe for concurrent use.
 *
 * <p>Reads are strict: a row Veil could not have written is skipped (and logged without its values), never returned
 * and never fatal. A failure to reach the store is an {@link IllegalStateException} naming the operation, never the
 * values involved.
 *
 * <p>Two implementations: {@link KeyStore}, the embedded SQLite file of one Veil, and {@link PostgresStore}, one
 * database several Veil replicas share.
 */
interface AccountingStore extends AutoCloseable {
    /** A stored key with its salted hash. */
    record StoredKey(VirtualKey key, byte[] salt, byte[] hash) {
    }

    /** Spend added by the writer: one row per (day, key, tenant, team, user, model); user {@code ""} for none. */
    record SpendDelta(LocalDate day, String keyId, String tenant, String team, String user, String model,
                      long requests, long promptTokens, long completionTokens, long cachedTokens,
                      long reasoningTokens, long costMicros) {
    }

    /** Usage filters; empty means any. */
    record UsageFilter(Optional<String> tenant, Optional<String> team, Optional<String> keyId,
                       Optional<String> user, Optional<String> model, Optional<LocalDate> from,
                       Optional<LocalDate> to) {
    }

    /** Stores a new key, creating its tenant and team when they are new. */
    void insertKey(VirtualKey key, byte[] salt, byte[] hash);

    /** Replaces a key's secret (rotation). */
    void replaceSecret(String id, byte[] salt, byte[] hash, Instant at);

    /** Marks a key revoked at {@code at}, unless it already is. */
    void revoke(String id, Instant at);

    /** Every valid key, revoked ones included, by creation time then id; an id stored twice is skipped. */
    List<StoredKey> keys();

    /** Creates the tenant unless it exists. */
    void ensureTenant(String tenant);

    /** Creates the team, and its tenant, unless they exist. */
    void ensureTeam(String tenant, String team);

    /** Tenant names, sorted. */
    List<String> tenants();

    /** Teams as tenant and name pairs, by tenant then name. */
    List<String[]> teams();

    /** Creates or replaces the budget of its scope. */
    void putBudget(BudgetSpec budget);

    void deleteBudget(BudgetScope scope);

    /** Every valid budget, by scope id. */
    List<BudgetSpec> budgets();

    /**
     * The scope ids of budgets that could not be read. A budget nobody can read must not become no budget at all, so
     * their scopes are refused until set again.
     */
    Set<String> unreadableBudgetScopes();

    /** What {@code scope} has spent from {@code from} (inclusive) on, in micro-dollars. */
    long spentSince(BudgetScope scope, LocalDate from);

    /** Adds every delta to its row, all or none. */
    void addSpend(List<SpendDelta> deltas);

    /** Recorded spend matching {@code filter}, by day, tenant, team, key, user and model. */
    List<SpendDelta> usage(UsageFilter filter);

    /** Records that {@code scope} was alerted for the period starting {@code periodStart}; false if it already was. */
    boolean markAlerted(BudgetScope scope, LocalDate periodStart);

    boolean alerted(BudgetScope scope, LocalDate periodStart);

    @Override
    void close();
}
