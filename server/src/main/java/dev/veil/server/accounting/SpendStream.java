package dev.veil.server.accounting;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import dev.veil.spi.Usage;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Moves settled spend from the Redis stream, where settlement puts it at once, into the database, on every replica
 * every flush interval. The database records how far the stream has been moved in the transaction that adds the
 * spend ({@link PostgresStore#moveStreamSpend}), so a replica killed at any point loses nothing and counts nothing
 * twice: whatever it settled is in Redis, and whichever replica moves next picks it up.
 */
final class SpendStream implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(SpendStream.class.getName());
    private static final int BATCH = 2000;

    private final SharedLimits redis;
    private final PostgresStore store;
    private final ScheduledExecutorService mover;
    private volatile boolean failing;

    SpendStream(SharedLimits redis, PostgresStore store, Duration interval) {
        this.redis = redis;
        this.store = store;
        this.mover = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "veil-spend-mover");
            thread.setDaemon(true);
            return thread;
        });
        mover.scheduleWithFixedDelay(this::moveQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The fields of a settlement's stream entry. */
    static Map<String, String> entry(SpendLedger.Row row, Usage usage, long costMicros) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("day", row.day().toString());
        entry.put("key", row.keyId());
        entry.put("tenant", row.tenant());
        entry.put("team", row.team());
        entry.put("user", row.user());
        entry.put("model", row.model());
        entry.put("prompt", Long.toString(usage.promptTokens()));
        entry.put("completion", Long.toString(usage.completionTokens()));
        entry.put("cached", Long.toString(usage.cachedPromptTokens()));
        entry.put("reasoning", Long.toString(usage.reasoningTokens()));
        entry.put("cost", Long.toString(costMicros));
        return entry;
    }

    /** Moves everything in the stream now; the admin usage report calls it so that it includes the last second. */
    synchronized void move() {
        while (true) {
            Optional<String> moved = store.moveStreamSpend(SharedLimits.SPEND_STREAM, this::batchAfter);
            if (moved.isEmpty()) {
                return;
            }
            redis.trimSpendBefore(new StreamEntryID(moved.get()));
        }
    }

    private Optional<PostgresStore.StreamBatch> batchAfter(String last) {
        List<StreamEntry> entries = redis.spendAfter(last, BATCH);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Map<SpendLedger.Row, long[]> totals = new LinkedHashMap<>();
        for (StreamEntry entry : entries) {
            Map<String, String> f = entry.getFields();
            // An entry a Veil from before the user dimension settled has no user: a key's, as every row then.
            SpendLedger.Row row = new SpendLedger.Row(LocalDate.parse(f.get("day")), f.get("key"), f.get("tenant"),
                    f.get("team"), f.getOrDefault("user", ""), f.get("model"));
            long[] t = totals.computeIfAbsent(row, ignored -> new long[6]);
            t[0]++;
            t[1] += Long.parseLong(f.get("prompt"));
            t[2] += Long.parseLong(f.get("completion"));
            t[3] += Long.parseLong(f.get("cached"));
            t[4] += Long.parseLong(f.get("reasoning"));
            t[5] += Long.parseLong(f.get("cost"));
        }
        List<AccountingStore.SpendDelta> deltas = new ArrayList<>(totals.size());
        totals.forEach((row, t) -> deltas.add(new AccountingStore.SpendDelta(row.day(), row.keyId(), row.tenant(),
                row.team(), row.user(), row.model(), t[0], t[1], t[2], t[3], t[4], t[5])));
        return Optional.of(new PostgresStore.StreamBatch(entries.get(entries.size() - 1).getID().toString(),
                deltas));
    }

    private void moveQuietly() {
        try {
            move();
            if (failing) {
                failing = false;
                LOGGER.info("moving settled spend from Redis to the database again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOGGER.warning(() -> "settled spend could not be moved from Redis to the database ("
                        + e.getClass().getSimpleName() + "); it stays in Redis and is retried every flush interval");
            }
        }
    }

    /** Stops the mover after a last move. */
    @Override
    public void close() {
        mover.shutdown();
        try {
            mover.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        moveQuietly();
    }
}
