package dev.veil.server.reload;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import dev.veil.server.api.Routes;
import dev.veil.server.pipeline.Gateway;

/**
 * The running configuration: one {@link Snapshot} that every request takes once, as it starts, and keeps until it
 * ends, so that a reload never changes a request half-way. A reload {@link #replace replaces} the snapshot
 * atomically; the one replaced is retired (its providers' connections, plugin instances and policy client closed)
 * once the last request holding it has ended.
 */
public final class RunningConfig implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(RunningConfig.class.getName());

    /**
     * One complete configuration as requests see it.
     *
     * @param gateway the request path's collaborators built from the config
     * @param routes the routes served over them
     * @param loadedAt when it became the running one
     */
    public record Snapshot(Gateway gateway, Routes routes, Instant loadedAt) {
        public Snapshot {
            Objects.requireNonNull(gateway, "gateway");
            Objects.requireNonNull(routes, "routes");
            Objects.requireNonNull(loadedAt, "loadedAt");
        }

        /** Which version of the config file it was built from. */
        public String revision() {
            return gateway.config().revision();
        }
    }

    /** A request's hold on the snapshot it started on; closing it lets a replaced snapshot retire. */
    public final class Lease implements AutoCloseable {
        private final Held held;
        private boolean released;

        private Lease(Held held) {
            this.held = held;
        }

        public Snapshot snapshot() {
            return held.snapshot;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                held.release();
            }
        }
    }

    /**
     * A snapshot and how many hold it: its requests, plus one for being the running one. At zero it retires, and
     * cannot be taken again.
     */
    private static final class Held {
        final Snapshot snapshot;
        final AtomicInteger holds = new AtomicInteger(1);

        Held(Snapshot snapshot) {
            this.snapshot = snapshot;
        }

        boolean hold() {
            for (int count = holds.get(); count > 0; count = holds.get()) {
                if (holds.compareAndSet(count, count + 1)) {
                    return true;
                }
            }
            return false;
        }

        void release() {
            if (holds.decrementAndGet() == 0) {
                // Off the request thread that ended last: closing plugins and connections must not delay its answer.
                Thread.ofVirtual().name("veil-config-retire").start(() -> {
                    snapshot.gateway().retire();
                    LOGGER.fine(() -> "config revision " + snapshot.revision() + " retired");
                });
            }
        }
    }

    private volatile Held current;
    private boolean closed;

    public RunningConfig(Snapshot initial) {
        this.current = new Held(initial);
    }

    /** The running snapshot, held until the lease is closed. */
    public Lease acquire() {
        while (true) {
            Held held = current;
            if (held.hold()) {
                return new Lease(held);
            }
            // Replaced and retired between the read and the hold: the next read sees its successor.
        }
    }

    /** The running snapshot, for what reads it at one instant and holds nothing (readiness, metrics). */
    public Snapshot current() {
        return current.snapshot;
    }

    /**
     * Makes {@code next} the running snapshot: requests that start from now on take it, those in flight finish on
     * theirs; the replaced one retires when the last of them ends.
     */
    public synchronized void replace(Snapshot next) {
        if (closed) {
            throw new IllegalStateException("the server is stopped");
        }
        Held replaced = current;
        current = new Held(next);
        replaced.release();
    }

    /**
     * Closes the running snapshot and everything shared, once the server no longer serves: a snapshot still held by
     * a request cut at the deadline retires when that request's handler returns.
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            current.snapshot.gateway().close();
        }
    }
}
