package dev.veil.plugins.routing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.Target;

/**
 * What all requests have learnt about one target: its circuit breaker, a rate-limit rest from a 429's
 * {@code Retry-After}, and its observed latency. Shared by every request, so all state is in atomics and the read
 * path ({@link #admit}) is a few volatile reads; a compare-and-set happens only on state changes and probes.
 *
 * <p>Times are {@link System#nanoTime()}-style readings from the plugin's clock, compared by subtraction so that the
 * clock's origin does not matter.
 */
final class TargetHealth {
    /** What {@link #admit} decided for one request. */
    enum Admission {
        /** The target may be used. */
        AVAILABLE,
        /** The circuit is half-open and this request is its one probe: put the target first. */
        PROBE,
        /** Leave the target out. */
        BLOCKED
    }

    /**
     * The weight of a new latency sample. LLM latencies vary a lot with answer length: at 0.1 one slow answer moves
     * the estimate a tenth of the way, so it does not reorder a route on its own, while a provider that really slows
     * down (say 1 s to 5 s) overtakes a 2 s competitor within three samples.
     */
    static final double LATENCY_WEIGHT = 0.1;

    /**
     * How old a latency estimate may grow before one request re-measures the target. Without it a target that was
     * slow once would never be tried first again, so its recovery would go unseen.
     */
    static final Duration REMEASURE_AFTER = Duration.ofMinutes(1);

    /** The longest rest a {@code Retry-After} buys: a bogus header must not take a target out for days. */
    static final Duration MAX_REST = Duration.ofMinutes(10);

    private static final long NONE = Long.MIN_VALUE;
    private static final long REMEASURE_NANOS = REMEASURE_AFTER.toNanos();
    private static final long MAX_REST_NANOS = MAX_REST.toNanos();

    private final Target target;
    private final System.Logger logger;
    private final int failureThreshold;
    private final long windowNanos;
    private final long cooldownNanos;
    private final long probeLeaseNanos;

    /** The times of the last {@code failureThreshold} failures, as a ring indexed by {@link #failureCount}. */
    private final AtomicLongArray failureTimes;
    private final AtomicLong failureCount = new AtomicLong();
    /** When the open circuit turns half-open; {@link #NONE} while closed. */
    private final AtomicLong openUntil = new AtomicLong(NONE);
    /** Until when the current probe holds the half-open target; {@link #NONE} when nobody does. */
    private final AtomicLong probeLease = new AtomicLong(NONE);
    /** Until when a {@code Retry-After} keeps the target out; {@link #NONE} when it does not. */
    private final AtomicLong restUntil = new AtomicLong(NONE);
    /** Latency estimates in nanoseconds as double bits, NaN while unobserved: [0] complete answers, [1] streams. */
    private final AtomicLongArray latency = new AtomicLongArray(2);
    /** When each estimate was last sampled or claimed for re-measuring. */
    private final AtomicLongArray measuredAt = new AtomicLongArray(2);

    /**
     * @param probeLease how long a probe may hold a half-open target before another request may probe, for probes
     *                   whose attempt never happens (the policy dropped the target, a cache answered)
     */
    TargetHealth(Target target, Breaker breaker, Duration probeLease, System.Logger logger, long now) {
        this.target = target;
        this.logger = logger;
        this.failureThreshold = breaker.failures();
        this.windowNanos = breaker.window().toNanos();
        this.cooldownNanos = breaker.cooldown().toNanos();
        this.probeLeaseNanos = probeLease.toNanos();
        this.failureTimes = new AtomicLongArray(Math.max(1, failureThreshold));
        for (int i = 0; i < failureTimes.length(); i++) {
            failureTimes.set(i, now - windowNanos - 1);
        }
        for (int i = 0; i < 2; i++) {
            latency.set(i, Double.doubleToRawLongBits(Double.NaN));
            measuredAt.set(i, NONE);
        }
    }

    Target target() {
        return target;
    }

    /** The breaker's state for metrics: 0 closed, 1 half-open (a probe may go), 2 open. */
    long breakerState(long now) {
        long open = openUntil.get();
        if (open == NONE) {
            return 0;
        }
        return now - open < 0 ? 2 : 1;
    }

    /**
     * Whether one request may use the target now. At most one request at a time gets a half-open target, and only
     * when {@code mayProbe}: a request probes one target at most.
     */
    Admission admit(long now, boolean mayProbe) {
        long rest = restUntil.get();
        if (rest != NONE && now - rest < 0) {
            return Admission.BLOCKED;
        }
        long open = openUntil.get();
        if (open == NONE) {
            return Admission.AVAILABLE;
        }
        if (now - open < 0 || !mayProbe) {
            return Admission.BLOCKED;
        }
        long lease = probeLease.get();
        if (lease != NONE && now - lease < 0) {
            return Admission.BLOCKED;
        }
        return probeLease.compareAndSet(lease, now + probeLeaseNanos) ? Admission.PROBE : Admission.BLOCKED;
    }

    /** When the target may be tried again, for ordering a route whose targets are all blocked. */
    long blockedUntil(long now) {
        long until = now;
        long rest = restUntil.get();
        if (rest != NONE && rest - until > 0) {
            until = rest;
        }
        long open = openUntil.get();
        if (open != NONE) {
            long lease = probeLease.get();
            long halfOpen = lease != NONE && lease - open > 0 ? lease : open;
            if (halfOpen - until > 0) {
                until = halfOpen;
            }
        }
        return until;
    }

    /** The latency estimate in nanoseconds for answers of this kind; NaN while unobserved. */
    double latencyNanos(boolean streaming) {
        return Double.longBitsToDouble(latency.get(streaming ? 1 : 0));
    }

    /**
     * Claims the target for re-measuring when its estimate is older than {@link #REMEASURE_AFTER}: true for one
     * request per period, which then tries the target first.
     */
    boolean claimRemeasure(long now, boolean streaming) {
        int kind = streaming ? 1 : 0;
        long last = measuredAt.get(kind);
        return last != NONE && now - last > REMEASURE_NANOS && measuredAt.compareAndSet(kind, last, now);
    }

    /** Learns from one attempt. */
    void record(Attempt attempt, boolean streaming, long now) {
        Attempt.Result result = attempt.result();
        if (result == Attempt.Result.SUCCEEDED) {
            sampleLatency(attempt.latency().toNanos(), streaming ? 1 : 0, now);
            close(now);
        } else if (result.isTargetFailure()) {
            if (result == Attempt.Result.RATE_LIMITED && attempt.retryAfter().isPresent()) {
                rest(attempt.retryAfter().get(), now);
            }
            fail(now);
        } else if (isHalfOpen(now)) {
            // The request, not the target, was at fault: no verdict, so let the next request probe.
            probeLease.set(NONE);
        }
    }

    private void sampleLatency(long nanos, int kind, long now) {
        measuredAt.set(kind, now);
        long bits;
        long updated;
        do {
            bits = latency.get(kind);
            double old = Double.longBitsToDouble(bits);
            double estimate = Double.isNaN(old) ? nanos : old + LATENCY_WEIGHT * (nanos - old);
            updated = Double.doubleToRawLongBits(estimate);
        } while (!latency.compareAndSet(kind, bits, updated));
    }

    private void rest(Duration retryAfter, long now) {
        long until = now + Math.min(Math.max(0, retryAfter.toNanos()), MAX_REST_NANOS);
        restUntil.accumulateAndGet(until, (current, next) -> current == NONE || next - current > 0 ? next : current);
    }

    private void close(long now) {
        long open = openUntil.get();
        if (open != NONE && openUntil.compareAndSet(open, NONE)) {
            for (int i = 0; i < failureTimes.length(); i++) {
                failureTimes.set(i, now - windowNanos - 1);
            }
            probeLease.set(NONE);
            logger.log(System.Logger.Level.INFO, "circuit closed for {0}: it answered again", target);
        }
    }

    private void fail(long now) {
        if (failureThreshold == 0) {
            return;
        }
        long open = openUntil.get();
        if (open != NONE) {
            if (now - open >= 0 && openUntil.compareAndSet(open, now + cooldownNanos)) {
                probeLease.set(NONE);
                logger.log(System.Logger.Level.WARNING, "circuit re-opened for {0}: the probe failed", target);
            }
            return;
        }
        long count = failureCount.getAndIncrement();
        failureTimes.set((int) (count % failureThreshold), now);
        // The ring now holds the last failureThreshold failures; the slot written next holds the oldest of them.
        long oldest = failureTimes.get((int) ((count + 1) % failureThreshold));
        if (now - oldest <= windowNanos && openUntil.compareAndSet(NONE, now + cooldownNanos)) {
            probeLease.set(NONE);
            logger.log(System.Logger.Level.WARNING, "circuit opened for {0}: {1} failures within {2}", target,
                    failureThreshold, Duration.ofNanos(windowNanos));
        }
    }

    private boolean isHalfOpen(long now) {
        long open = openUntil.get();
        return open != NONE && now - open >= 0;
    }
}
