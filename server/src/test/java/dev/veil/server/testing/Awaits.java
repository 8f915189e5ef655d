package dev.veil.server.testing;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Awaitility as this suite waits for asynchronous work (a process starting, a span ending, a row written): the first
 * check at once and then every 10 ms, since what is awaited usually lands within milliseconds, and Awaitility's
 * default would wait 100 ms before even looking. Never for time to pass: tests move a {@link FakeClock} for that.
 */
public final class Awaits {
    private static final Duration INTERVAL = Duration.ofMillis(10);

    private Awaits() {
    }

    public static ConditionFactory await() {
        return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(INTERVAL);
    }

    /** As {@link #await()}, naming what is awaited in a timeout's message. */
    public static ConditionFactory await(String what) {
        return Awaitility.await(what).pollDelay(Duration.ZERO).pollInterval(INTERVAL);
    }
}
