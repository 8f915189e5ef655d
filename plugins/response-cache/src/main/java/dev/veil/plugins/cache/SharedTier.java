package dev.veil.plugins.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.veil.spi.ChatResponse;

/**
 * The second tier, shared by every replica: answers sealed in a {@link SharedStore}. It is a cache, so it never
 * fails or holds up a request: a lookup waits at most the store's timeout, a store happens off the request's path
 * (on a virtual thread of its own), and a store that fails is an outage during which every lookup is a miss and
 * nothing is written, retried by one request per {@link #RETRY} until the store answers again. An outage is logged once when it starts and once
 * when it ends, naming where the store is and what failed, never a credential or an entry.
 */
final class SharedTier implements AutoCloseable {
    /** How long an outage lasts at least before one request tries the store again. */
    static final Duration RETRY = Duration.ofSeconds(1);
    /** Stores in flight at most; beyond, an answer is kept in memory only and counted as dropped. */
    static final int MAX_PENDING_WRITES = 64;

    private final SharedStore store;
    private final AnswerSeal seal;
    private final Duration ttl;
    private final String location;
    private final System.Logger logger;
    private final LongSupplier nanoTime;
    private final Optional<String> password;
    private final Executor writer;
    private final Semaphore writes = new Semaphore(MAX_PENDING_WRITES);
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicLong retryAt = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param location where the store is, for log messages
     * @param nanoTime the monotonic clock outages are timed by
     * @param password the store's password, kept out of log messages should a failure's message quote it
     * @param writer where stores run, off the request's path
     */
    SharedTier(SharedStore store, byte[] key, Duration ttl, String location, System.Logger logger,
               LongSupplier nanoTime, Optional<String> password, Executor writer) {
        this.store = store;
        this.seal = new AnswerSeal(key);
        this.ttl = ttl;
        this.location = location;
        this.logger = logger;
        this.nanoTime = nanoTime;
        this.password = password;
        this.writer = writer;
    }

    /** Runs each store on a virtual thread of its own; {@link #MAX_PENDING_WRITES} bounds how many at once. */
    static Executor virtualThreads() {
        return task -> Thread.ofVirtual().name("response-cache-shared-store").start(task);
    }

    /** The answer stored for {@code key}; empty on a miss, during an outage, or when the value does not open. */
    Optional<ChatResponse> lookup(ResponseCachePlugin.Key key) {
        if (closed || !mayTry()) {
            return Optional.empty();
        }
        byte[] name = seal.name(key);
        Optional<byte[]> value;
        try {
            value = store.get(name);
        } catch (RuntimeException e) {
            failed(e);
            return Optional.empty();
        }
        recovered();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return seal.open(name, value.get()).map(AnswerCodec::decode).or(() -> {
                rejected.incrementAndGet();
                return Optional.empty();
            });
        } catch (IllegalArgumentException e) {
            rejected.incrementAndGet();
            return Optional.empty();
        }
    }

    /** Stores an answer for {@code key} in the background; skipped during an outage and when too many are pending. */
    void store(ResponseCachePlugin.Key key, ChatResponse answer) {
        if (closed || !mayTry()) {
            return;
        }
        if (!writes.tryAcquire()) {
            dropped.incrementAndGet();
            return;
        }
        writer.execute(() -> {
            try {
                Optional<byte[]> plaintext = AnswerCodec.encode(answer);
                if (plaintext.isEmpty()) {
                    return;
                }
                byte[] name = seal.name(key);
                store.put(name, seal.seal(name, plaintext.get()), ttl);
                recovered();
            } catch (RuntimeException e) {
                if (!closed) {
                    failed(e);
                }
            } finally {
                writes.release();
            }
        });
    }

    /** Whether the store is answering, as far as the last operation showed. */
    boolean available() {
        return !down.get();
    }

    /** Operations that failed (timed out, could not connect, refused), since startup. */
    long failures() {
        return failures.get();
    }

    /** Values found that did not open or decode (another key, altered, another version), since startup. */
    long rejected() {
        return rejected.get();
    }

    /** Answers not stored because {@link #MAX_PENDING_WRITES} stores were already in flight, since startup. */
    long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        closed = true;
        store.close();
    }

    /** Outside an outage always; during one, for a single caller once the retry time has come. */
    private boolean mayTry() {
        if (!down.get()) {
            return true;
        }
        long now = nanoTime.getAsLong();
        long at = retryAt.get();
        return now - at >= 0 && retryAt.compareAndSet(at, now + RETRY.toNanos());
    }

    private void failed(RuntimeException e) {
        failures.incrementAndGet();
        retryAt.set(nanoTime.getAsLong() + RETRY.toNanos());
        store.reset();
        if (down.compareAndSet(false, true)) {
            logger.log(System.Logger.Level.WARNING, () -> "shared tier " + location + " is unavailable ("
                    + describe(e) + "); answering from memory alone, trying again every " + RETRY.toSeconds()
                    + "s");
        }
    }

    private void recovered() {
        if (down.compareAndSet(true, false)) {
            logger.log(System.Logger.Level.INFO, () -> "shared tier " + location + " is available again");
        }
    }

    /** The failure's kind and Redis's or the socket's words, which name no entry. */
    private String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String text = e.getClass().getSimpleName();
        if (cause != e) {
            text += " caused by " + cause.getClass().getSimpleName();
        }
        String message = cause.getMessage();
        if (message == null) {
            return text;
        }
        for (String secret : password.stream().toList()) {
            message = message.replace(secret, "(password)");
        }
        return text + ": " + message;
    }
}
