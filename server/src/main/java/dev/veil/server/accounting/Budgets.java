package dev.veil.server.accounting;

import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Budgets with their spend in the current period, in memory (loaded from the store at startup, so a restart keeps
 * them). A hard cap is enforced by reservation: admission adds an estimated cost to {@code committed} with
 * compare-and-set, but only while {@code committed} (spent plus what requests in flight reserved) is below the cap;
 * settlement swaps the estimate for the actual cost. Hence requests racing for the last cents of a budget are
 * admitted one at a time until the reservations reach the cap, and the overspend is at most the one request that
 * crossed it — as long as estimates are not below actual costs (see docs/keys.md).
 *
 * <p>A budget whose stored row could not be read (quarantined) leaves its scope blocked, not unlimited: requests it
 * covers are refused until an administrator sets the budget again.
 */
final class Budgets {
    /** One budget in its current period. */
    static final class State {
        final BudgetSpec spec;
        final LocalDate periodStart;
        final long periodEndMillis;
        final AtomicLong committed;
        final AtomicLong spent;
        final AtomicBoolean alerted;

        State(BudgetSpec spec, LocalDate periodStart, long spent, boolean alerted) {
            this.spec = spec;
            this.periodStart = periodStart;
            this.periodEndMillis = spec.periodEnd(periodStart).toEpochMilli();
            this.committed = new AtomicLong(spent);
            this.spent = new AtomicLong(spent);
            this.alerted = new AtomicBoolean(alerted);
        }

        /** Reserves {@code micros} unless the cap is already reached. */
        boolean reserve(long micros) {
            long limit = spec.limitMicros();
            while (true) {
                long committedNow = committed.get();
                if (limit > 0 && committedNow >= limit) {
                    return false;
                }
                if (committed.compareAndSet(committedNow, committedNow + micros)) {
                    return true;
                }
            }
        }
    }

    private static final Logger LOGGER = Logger.getLogger(Budgets.class.getName());
    /** Scopes a log line may name: not a user's, whose id is the user's own (logs keep no user ids). */
    private static final Pattern LOGGABLE_SCOPE = Pattern.compile("(key|team|tenant):[A-Za-z0-9._/-]{1,140}");

    private final AccountingStore store;
    private final InstantSource clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Set<String> blocked = ConcurrentHashMap.newKeySet();
    private final Consumer<State> onSoftThreshold;

    Budgets(AccountingStore store, InstantSource clock, Consumer<State> onSoftThreshold) {
        this.store = store;
        this.clock = clock;
        this.onSoftThreshold = onSoftThreshold;
        for (BudgetSpec spec : store.budgets()) {
            states.put(spec.scope().id(), load(spec, today(clock)));
        }
        blocked.addAll(store.unreadableBudgetScopes());
        blocked.removeAll(states.keySet());
        for (String scope : blocked) {
            LOGGER.warning(() -> "the budget of " + (LOGGABLE_SCOPE.matcher(scope).matches() ? scope
                    : scope.startsWith("user:") ? "a user" : "an unreadable scope")
                    + " could not be read from the key store; requests it covers are refused with 503 "
                    + "budget_unavailable until it is set again (POST /admin/budgets)");
        }
    }

    /** Whether the budget of {@code scopeId} could not be read, so that requests it covers must be refused. */
    boolean blocked(String scopeId) {
        return !blocked.isEmpty() && blocked.contains(scopeId);
    }

    /** The budget of {@code scopeId} in the period containing now, rolled over when a period has ended. */
    State current(String scopeId, long nowMillis) {
        State state = states.get(scopeId);
        if (state == null || nowMillis < state.periodEndMillis) {
            return state;
        }
        LocalDate today = LocalDate.ofEpochDay(Math.floorDiv(nowMillis, 86_400_000L));
        State next = new State(state.spec, state.spec.periodStart(today), 0, false);
        return states.replace(scopeId, state, next) ? next : states.get(scopeId);
    }

    /**
     * Brings the budgets in line with the store, where another replica may have set or removed one: a changed budget
     * is loaded anew with its period's recorded spend, an unchanged one keeps its state.
     */
    synchronized void reload() {
        LocalDate today = today(clock);
        Map<String, BudgetSpec> stored = new HashMap<>();
        for (BudgetSpec spec : store.budgets()) {
            stored.put(spec.scope().id(), spec);
        }
        states.keySet().removeIf(id -> !stored.containsKey(id));
        stored.forEach((id, spec) -> {
            State current = states.get(id);
            if (current == null || !current.spec.equals(spec)) {
                states.put(id, load(spec, today));
            }
        });
        Set<String> unreadable = new HashSet<>(store.unreadableBudgetScopes());
        unreadable.removeAll(stored.keySet());
        blocked.retainAll(unreadable);
        blocked.addAll(unreadable);
    }

    /**
     * Takes the spend the shared limits report for {@code state}'s budget across replicas, and raises the
     * soft-threshold alert once per period when it passes.
     */
    void observed(State state, long spentMicros) {
        state.spent.set(spentMicros);
        // Should Redis become unreachable with fail-mode open, local admission starts from the shared spend.
        state.committed.accumulateAndGet(spentMicros, Math::max);
        long soft = state.spec.softMicros();
        if (soft > 0 && spentMicros >= soft && state.alerted.compareAndSet(false, true)) {
            onSoftThreshold.accept(state);
        }
    }

    /** Swaps a reservation for the actual cost and raises the soft-threshold alert once per period. */
    void settle(State state, long reservedMicros, long actualMicros) {
        state.committed.addAndGet(actualMicros - reservedMicros);
        long spent = state.spent.addAndGet(actualMicros);
        long soft = state.spec.softMicros();
        if (soft > 0 && spent >= soft && state.alerted.compareAndSet(false, true)) {
            onSoftThreshold.accept(state);
        }
    }

    /**
     * Sets a budget; spend already recorded in its period counts ({@code flushed} must have written pending spend).
     * Requests in flight keep their reservations when the period is unchanged.
     */
    synchronized BudgetSpec put(BudgetSpec spec, Runnable flushed) {
        store.putBudget(spec);
        blocked.remove(spec.scope().id());
        LocalDate today = today(clock);
        states.compute(spec.scope().id(), (id, old) -> {
            if (old != null && old.spec.period().equals(spec.period())
                    && old.periodStart.equals(spec.periodStart(today))) {
                State next = new State(spec, old.periodStart, 0, old.alerted.get());
                next.committed.set(old.committed.get());
                next.spent.set(old.spent.get());
                return next;
            }
            flushed.run();
            return load(spec, today);
        });
        return spec;
    }

    synchronized boolean remove(BudgetScope scope) {
        store.deleteBudget(scope);
        return states.remove(scope.id()) != null;
    }

    /** Every budget with its current state. */
    List<State> all() {
        long now = clock.millis();
        List<State> all = new ArrayList<>();
        for (String id : states.keySet()) {
            Optional.ofNullable(current(id, now)).ifPresent(all::add);
        }
        all.sort((a, b) -> a.spec.scope().id().compareTo(b.spec.scope().id()));
        return all;
    }

    private State load(BudgetSpec spec, LocalDate today) {
        LocalDate start = spec.periodStart(today);
        return new State(spec, start, store.spentSince(spec.scope(), start), store.alerted(spec.scope(), start));
    }

    static LocalDate today(InstantSource clock) {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
