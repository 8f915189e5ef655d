package dev.veil.bench;

/**
 * Percentiles of the open-loop harnesses, defined as the Go harness defines them (bench/internal/stats): the
 * nearest rank, the ceil(p/100 * n)-th smallest sample, never a value between two samples.
 */
final class NearestRank {
    private NearestRank() {
    }

    /** The {@code percent} percentile of {@code sortedNanos}, in microseconds. */
    static double micros(long[] sortedNanos, double percent) {
        int index = (int) Math.ceil(percent / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.clamp(index, 0, sortedNanos.length - 1)] / 1000.0;
    }
}
