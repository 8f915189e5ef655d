package dev.veil.server.listener;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.veil.server.core.Ticker;

/**
 * Ends the reads that overrun their deadline, for every connection of one listener. A read blocks in the socket with
 * no timeout of its own (Helidon reads a blocking channel), so a deadline is only a number the reader sets before it
 * blocks; this sweeps the readers a few times per shortest timeout and shuts the input of any whose number has
 * passed, which wakes the read with end-of-stream. The reader, on its own thread, then decides what the client hears.
 *
 * <p>The sweep runs on one virtual thread while any connection is open and ends with the last one, so a stopped
 * server leaves nothing behind. On the hot path a read costs a clock reading and two writes of one field.
 */
final class ReadDeadlines {
    private static final Duration FINEST = Duration.ofMillis(10);
    private static final Duration COARSEST = Duration.ofSeconds(1);

    private final Set<ClientReads> reading = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final Duration period;
    private final Ticker ticker;

    /**
     * Sweeps four times per {@code shortest}, within 10 ms and 1 s: a timeout ends at most a quarter late. Deadlines
     * are compared with {@code ticker}; the sweeps themselves come in real time.
     */
    ReadDeadlines(Duration shortest, Ticker ticker) {
        this.ticker = ticker;
        Duration quarter = shortest.dividedBy(4);
        this.period = quarter.compareTo(FINEST) < 0 ? FINEST : quarter.compareTo(COARSEST) > 0 ? COARSEST : quarter;
    }

    void add(ClientReads reads) {
        reading.add(reads);
        if (sweeping.compareAndSet(false, true)) {
            Thread.ofVirtual().name("veil-client-read-deadlines").start(this::sweep);
        }
    }

    void remove(ClientReads reads) {
        reading.remove(reads);
    }

    private void sweep() {
        while (true) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                sweeping.set(false);
                return;
            }
            long now = ticker.nanos();
            for (ClientReads reads : reading) {
                reads.expireIfOverdue(now);
            }
            if (reading.isEmpty()) {
                sweeping.set(false);
                // A connection added since the check above found no sweep running, or will find this one again.
                if (reading.isEmpty() || !sweeping.compareAndSet(false, true)) {
                    return;
                }
            }
        }
    }
}
