package dev.veil.server.accounting;

import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.spi.Usage;

/**
 * Spend per (day, key, tenant, team, user, model), added in memory by the request path (a map lookup and a few atomic
 * adds) and written to SQLite by one background thread every flush interval and at shutdown, so that accounting
 * never waits for the disk.
 */
final class SpendLedger implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(SpendLedger.class.getName());

    /** One spend row's identity; {@code user} is {@code ""} for a caller without one (a key). */
    record Row(LocalDate day, String keyId, String tenant, String team, String user, String model) {
    }

    private static final class Totals {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong prompt = new AtomicLong();
        final AtomicLong completion = new AtomicLong();
        final AtomicLong cached = new AtomicLong();
        final AtomicLong reasoning = new AtomicLong();
        final AtomicLong cost = new AtomicLong();
    }

    private final AccountingStore store;
    private final Map<Row, Totals> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writer;
    private final InstantSource clock;

    SpendLedger(AccountingStore store, Duration interval, InstantSource clock) {
        this.store = store;
        this.clock = clock;
        this.writer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "veil-spend-writer");
            thread.setDaemon(true);
            return thread;
        });
        writer.scheduleWithFixedDelay(this::flushQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void add(Row row, Usage usage, long costMicros) {
        Totals totals = pending.computeIfAbsent(row, ignored -> new Totals());
        totals.requests.incrementAndGet();
        totals.prompt.addAndGet(usage.promptTokens());
        totals.completion.addAndGet(usage.completionTokens());
        totals.cached.addAndGet(usage.cachedPromptTokens());
        totals.reasoning.addAndGet(usage.reasoningTokens());
        totals.cost.addAndGet(costMicros);
    }

    /** Writes everything added so far; on failure the amounts stay pending for the next try. */
    synchronized void flush() {
        List<AccountingStore.SpendDelta> deltas = new ArrayList<>();
        LocalDate yesterday = Budgets.today(clock).minusDays(1);
        for (Map.Entry<Row, Totals> entry : pending.entrySet()) {
            Row row = entry.getKey();
            Totals t = entry.getValue();
            AccountingStore.SpendDelta delta = new AccountingStore.SpendDelta(row.day(), row.keyId(), row.tenant(), row.team(),
                    row.user(), row.model(), t.requests.getAndSet(0), t.prompt.getAndSet(0), t.completion.getAndSet(0),
                    t.cached.getAndSet(0), t.reasoning.getAndSet(0), t.cost.getAndSet(0));
            if (delta.requests() != 0 || delta.costMicros() != 0 || delta.promptTokens() != 0) {
                deltas.add(delta);
            } else if (row.day().isBefore(yesterday)) {
                // No request settles on a day that long gone, so nothing can be added to it any more.
                pending.remove(row, t);
            }
        }
        try {
            store.addSpend(deltas);
        } catch (RuntimeException e) {
            for (AccountingStore.SpendDelta d : deltas) {
                Totals t = pending.computeIfAbsent(new Row(d.day(), d.keyId(), d.tenant(), d.team(), d.user(),
                        d.model()),
                        ignored -> new Totals());
                t.requests.addAndGet(d.requests());
                t.prompt.addAndGet(d.promptTokens());
                t.completion.addAndGet(d.completionTokens());
                t.cached.addAndGet(d.cachedTokens());
                t.reasoning.addAndGet(d.reasoningTokens());
                t.cost.addAndGet(d.costMicros());
            }
            throw e;
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOGGER.log(Level.WARNING, () -> "spend could not be written to the key store ("
                    + e.getClass().getSimpleName() + "); it stays in memory and is retried");
        }
    }

    /** Stops the writer after a last flush. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }
}
