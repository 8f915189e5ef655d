package dev.veil.server.conversations;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

import dev.veil.server.audit.AuditKeys;
import dev.veil.server.config.ResponsesConfig;
import dev.veil.server.core.Clocks;
import dev.veil.server.core.SafeThrowables;
import dev.veil.spi.VeilException;

/**
 * The conversation state of the Responses API: every response Veil answered with, kept so that a later request can
 * continue it by {@code previous_response_id} on any provider, for the tenant that made it alone.
 *
 * <p>Where a response is kept depends on the exchange and on the keys Veil has. Ordinary exchanges go to an SQLite
 * file, each row sealed with a key derived from the audit log's key-encryption key, for {@code veil.responses.ttl}.
 * Zero-retention exchanges, and every exchange when there is no audit log (so no key), stay in memory only, for
 * {@code veil.responses.memory-ttl}: nothing of them is ever written to a disk. Reads look in both places. An expired
 * response is never returned; a background sweep deletes expired rows from the file every
 * {@code veil.responses.sweep-interval} and empties the WAL after deletions, so deleted rows do not linger on disk.
 *
 * <p>Every method is safe to call from any thread and blocks for at most one small SQLite statement (the sweep, for
 * one {@code DELETE} and a WAL checkpoint). Another tenant's response is simply absent: no method tells it exists.
 */
public final class Conversations implements AutoCloseable {
    /** The HKDF purpose of the key that seals stored responses; a new version means a new key. */
    static final String DATA_KEY_PURPOSE = "veil-responses-key|v1";
    static final String KEY_CHECK_PURPOSE = "veil-responses-key-check|v1";
    private static final Logger LOGGER = Logger.getLogger(Conversations.class.getName());
    private static final String PARAM = "previous_response_id";
    /** As the audit log's: the WAL stays small, and a checkpoint's fsync stays off the request path. */
    private static final Duration CHECKPOINT_EVERY = Duration.ofSeconds(1);
    private static final int WRITE_QUEUE = 4096;

    private final ResponsesConfig config;
    private final Clocks clocks;
    private final Optional<DiskStore> disk;
    private final Optional<MemoryStore> memory;
    private final Optional<ScheduledExecutorService> sweeper;
    /** Responses held in memory until their write to disk, so that a next turn finds them before it. */
    private final Map<Key, StoredResponse> unwritten = new ConcurrentHashMap<>();
    /** What {@link #unwritten} holds, bounded by {@code max-memory-bytes} like the rest of what memory keeps. */
    private final AtomicLong unwrittenBytes = new AtomicLong();
    /** Orders a held response's write after a delete of it: a deleted response is never written afterwards. */
    private final ReentrantLock writes = new ReentrantLock();
    /**
     * Writes held responses to disk, in order, off the request's thread: that thread serves the connection's next
     * request. When the queue is full, the request's thread writes its own, which slows clients down to the disk.
     */
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(WRITE_QUEUE), Thread.ofPlatform().name("veil-responses-writer").daemon(true)
            .factory(), new ThreadPoolExecutor.CallerRunsPolicy());

    /** How many conversations' and MCP sessions' placeholders the pseudonym vault keeps at most. */
    public static final int MAX_PSEUDONYM_SCOPES = 10_000;

    /** The placeholders of conversations named by {@code x-veil-conversation-id}, and of MCP sessions. */
    private final PseudonymVault pseudonyms;

    private record Key(String tenant, String id) {
        static Key of(StoredResponse record) {
            return new Key(record.tenant(), record.id());
        }
    }

    private Conversations(ResponsesConfig config, Clocks clocks, Optional<DiskStore> disk,
                          Optional<MemoryStore> memory) {
        this.config = config;
        this.clocks = clocks;
        this.disk = disk;
        this.memory = memory;
        this.pseudonyms = new PseudonymVault(MAX_PSEUDONYM_SCOPES, config.memoryTtl(), clocks.ticker());
        this.sweeper = memory.map(m -> Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("veil-responses-sweeper").daemon(true).factory()));
    }

    /**
     * Opens the state {@code config} describes and starts its sweep.
     *
     * @param clocks wall time for creation, expiry and the sweep; the ticker ages what memory holds
     * @param keys the audit log's keys, when there is an audit log; without them the state is kept in memory only
     * @throws dev.veil.server.config.ConfigException when the file cannot be created or read, or was written under
     *         another audit key; the message names the setting and the fix
     */
    public static Conversations open(ResponsesConfig config, Clocks clocks, Optional<AuditKeys> keys) {
        if (!config.enabled()) {
            return new Conversations(config, clocks, Optional.empty(), Optional.empty());
        }
        Optional<DiskStore> disk = keys.map(k -> {
            byte[] dataKey = k.purposeKey(DATA_KEY_PURPOSE);
            try {
                return DiskStore.open(config.database(), dataKey, k.purposeKey(KEY_CHECK_PURPOSE));
            } finally {
                Arrays.fill(dataKey, (byte) 0);
            }
        });
        Conversations conversations = new Conversations(config, clocks, disk,
                Optional.of(new MemoryStore(config.maxMemoryBytes(), config.memoryTtl(), clocks.ticker())));
        long every = config.sweepInterval().toMillis();
        disk.ifPresent(store -> store.checkpointEvery(conversations.sweeper.orElseThrow(), CHECKPOINT_EVERY));
        conversations.sweeper.orElseThrow().scheduleWithFixedDelay(conversations::sweepNow, every, every,
                TimeUnit.MILLISECONDS);
        return conversations;
    }

    /**
     * The pseudonym vault, shared by the model path ({@code x-veil-conversation-id}) and the MCP gateway: its
     * scopes are forgotten {@code veil.responses.memory-ttl} after their last use.
     */
    public PseudonymVault pseudonyms() {
        return pseudonyms;
    }

    /** Whether responses of ordinary exchanges are kept on disk (encrypted), rather than in memory only. */
    boolean persistent() {
        return disk.isPresent();
    }

    /** Where state is kept and for how long, in one sentence, for a log line at startup. */
    public String describe() {
        if (!config.enabled()) {
            return "Responses API state: none kept (veil.responses.enabled is false); previous_response_id is "
                    + "refused and clients send the whole conversation as input";
        }
        if (disk.isEmpty()) {
            return "Responses API state: in memory only, for " + text(config.memoryTtl()) + " and lost on restart, "
                    + "because veil.audit is not set and its key is the one that encrypts state on disk; set "
                    + "veil.audit (see docs/audit.md) to keep conversations for veil.responses.ttl";
        }
        return "Responses API state: encrypted in " + disk.get().file() + " for " + text(config.ttl())
                + "; zero-retention exchanges in memory only, for " + text(config.memoryTtl());
    }

    /**
     * When a response made at {@code createdAt} expires: {@code ttl} on disk, {@code memory-ttl} in memory (a
     * zero-retention exchange, or no disk store).
     */
    public Instant expiresAt(Instant createdAt, boolean zeroRetention) {
        return createdAt.plus(zeroRetention || disk.isEmpty() ? config.memoryTtl() : config.ttl());
    }

    /**
     * Keeps {@code record} now: in memory when it is zero-retention or there is no disk store, else on disk, on the
     * caller's thread (the request path uses {@link #hold}). A record of the same id and tenant is replaced. With
     * state disabled, nothing is kept.
     *
     * @throws VeilException (unavailable) when the file cannot be written
     */
    void put(StoredResponse record) {
        if (memory.isEmpty()) {
            return;
        }
        if (record.zeroRetention() || disk.isEmpty()) {
            memory.get().put(record);
        } else {
            disk.get().put(record);
        }
    }

    /**
     * Keeps {@code record} at once where the next turn looks for it, and returns what starts its write to disk,
     * which the caller runs once the client has its answer, so that the client does not wait for the file (a response
     * kept in memory needs no write: what is returned does nothing). A response that cannot be written stays in
     * memory, for {@code memory-ttl}, and the failure is logged; a response deleted before its write is never
     * written. A crash before the write (milliseconds) loses the response, never its audit record. What waits for its
     * write is bounded by {@code max-memory-bytes}: past it, the response is written now, before the answer.
     *
     * @throws VeilException (unavailable) when a response written now cannot be written
     */
    public Runnable hold(StoredResponse record) {
        if (memory.isEmpty()) {
            return () -> { };
        }
        if (record.zeroRetention() || disk.isEmpty()) {
            memory.get().put(record);
            return () -> { };
        }
        long size = size(record);
        if (unwrittenBytes.addAndGet(size) > config.maxMemoryBytes()) {
            // A disk slower than the traffic: this request writes before it answers, which slows clients to the disk.
            unwrittenBytes.addAndGet(-size);
            disk.get().put(record);
            return () -> { };
        }
        Key key = Key.of(record);
        unwritten.put(key, record);
        return () -> writer.execute(() -> write(key, record));
    }

    private void write(Key key, StoredResponse record) {
        writes.lock();
        try {
            if (unwritten.get(key) != record) {
                return;
            }
            try {
                disk.orElseThrow().put(record);
            } catch (RuntimeException e) {
                memory.orElseThrow().put(record);
                LOGGER.warning(() -> "stored response " + record.id() + " is kept in memory only, for "
                        + text(config.memoryTtl()) + ": it could not be written to disk ("
                        + SafeThrowables.describe(e) + ")");
            }
            forget(key, record);
        } finally {
            writes.unlock();
        }
    }

    private void forget(Key key, StoredResponse record) {
        if (unwritten.remove(key, record)) {
            unwrittenBytes.addAndGet(-size(record));
        }
    }

    private static long size(StoredResponse record) {
        return record.inputItems().length + record.response().length;
    }

    /**
     * The response {@code id} of {@code tenant}, unless it expired, was deleted, or is another tenant's.
     *
     * @throws VeilException (internal) when its row on disk does not open under the key: damaged or edited
     */
    public Optional<StoredResponse> get(String tenant, String id) {
        if (memory.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clocks.wall().instant();
        StoredResponse held = unwritten.get(new Key(tenant, id));
        if (held != null) {
            return held.expiredAt(now) ? Optional.empty() : Optional.of(held);
        }
        Optional<StoredResponse> kept = memory.get().get(tenant, id, now);
        return kept.isPresent() ? kept : disk.flatMap(d -> d.get(tenant, id, now));
    }

    /** Deletes the response {@code id} of {@code tenant} wherever it is kept; whether there was one. */
    public boolean delete(String tenant, String id) {
        if (memory.isEmpty()) {
            return false;
        }
        Instant now = clocks.wall().instant();
        writes.lock();
        try {
            StoredResponse held = unwritten.get(new Key(tenant, id));
            if (held != null) {
                forget(new Key(tenant, id), held);
            }
            boolean inMemory = memory.get().delete(tenant, id, now);
            boolean onDisk = disk.isPresent() && disk.get().delete(tenant, id, now);
            return (held != null && !held.expiredAt(now)) || inMemory || onDisk;
        } finally {
            writes.unlock();
        }
    }

    /** The turns of the conversation that {@code previousId} ends, at most {@code veil.responses.max-turns}. */
    public List<StoredResponse> chain(String tenant, String previousId) {
        return chain(tenant, previousId, config.maxTurns());
    }

    /**
     * The turns of the conversation that {@code previousId} ends, oldest first: {@code previousId}'s response, the
     * one it continued, and so on back to the first.
     *
     * @throws VeilException (404, param {@code previous_response_id}) when a response of the chain is absent:
     *         expired, deleted, or another tenant's; (400) when the chain has more than {@code maxTurns} turns or
     *         more than {@code max-conversation-bytes} stored, or when no state is kept
     */
    public List<StoredResponse> chain(String tenant, String previousId, int maxTurns) {
        if (memory.isEmpty()) {
            throw VeilException.invalidParam(PARAM, "Veil keeps no conversation state (veil.responses.enabled is "
                    + "false); send the whole conversation as input instead of previous_response_id.");
        }
        List<StoredResponse> turns = new ArrayList<>();
        long bytes = 0;
        Optional<String> next = Optional.of(previousId);
        while (next.isPresent()) {
            String id = next.get();
            if (turns.size() == maxTurns) {
                throw VeilException.invalidParam(PARAM, "The conversation ending with response '" + previousId
                        + "' has more than " + maxTurns + " turns, the most Veil follows; start a new conversation, "
                        + "or send its history as input.");
            }
            StoredResponse turn = get(tenant, id).orElseThrow(() -> notFound(previousId, id));
            bytes += turn.inputItems().length + turn.response().length;
            if (bytes > config.maxConversationBytes()) {
                throw VeilException.invalidParam(PARAM, "The conversation ending with response '" + previousId
                        + "' holds more than veil.responses.max-conversation-bytes, the most Veil replays; start a "
                        + "new conversation, or send the part that matters as input.");
            }
            turns.add(turn);
            next = turn.previousId();
        }
        Collections.reverse(turns);
        return turns;
    }

    private static VeilException notFound(String previousId, String missing) {
        String message = missing.equals(previousId) ? "Previous response with id '" + previousId + "' not found."
                : "Previous response with id '" + previousId + "' continues response '" + missing + "', which was "
                + "not found (expired or deleted); start a new conversation, or send its history as input.";
        return VeilException.clientError(404, "invalid_request_error", message, "previous_response_not_found",
                PARAM);
    }

    /**
     * Deletes what has expired at {@code now}, in memory and on disk, then empties the WAL into the file if rows were
     * deleted since it was last emptied. Runs by itself every {@code sweep-interval}.
     *
     * @return how many rows expired on disk
     */
    public int sweep(Instant now) {
        memory.ifPresent(m -> m.sweep(now));
        return disk.map(d -> d.sweep(now)).orElse(0);
    }

    private void sweepNow() {
        try {
            sweep(clocks.wall().instant());
        } catch (RuntimeException e) {
            // The store logged what failed; the next sweep tries again.
            LOGGER.fine(() -> "responses sweep failed: " + SafeThrowables.describe(e));
        }
    }

    /** Writes what is still held, stops the sweep and closes the file; what memory held is dropped. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        unwritten.forEach(this::write);
        sweeper.ifPresent(s -> {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        disk.ifPresent(DiskStore::close);
        memory.ifPresent(MemoryStore::clear);
    }

    private static String text(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 86_400_000 == 0) {
            return duration.toDays() == 1 ? "1 day" : duration.toDays() + " days";
        }
        if (millis % 3_600_000 == 0) {
            return duration.toHours() + "h";
        }
        if (millis % 60_000 == 0) {
            return duration.toMinutes() + "m";
        }
        return duration.toString();
    }
}
