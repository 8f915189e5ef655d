package dev.veil.bench;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The policy check under a constant arrival rate (open loop): checks start on schedule whether or not earlier ones
 * have finished, each on its own virtual thread, and each latency is measured from its intended start, so a stall
 * shows up in the percentiles instead of slowing the load down.
 *
 * <p>Arguments: requests per second (default 1000), seconds measured (default 20), seconds of warm-up (default 10),
 * {@code cache} to keep decisions for identical inputs.
 */
public final class PolicyLoad {
    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        boolean cache = args.length > 3 && args[3].equals("cache");
        PolicyFixture fixture = new PolicyFixture(cache);
        run(fixture, rate, warmup, false);
        long[] latencies = run(fixture, rate, seconds, true);
        Arrays.sort(latencies);
        System.out.printf("policy check%s at %d requests/s for %d s (%d checks, %d failed): p50 %.1f us, p90 %.1f "
                        + "us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n", cache ? " with the decision cache" : "", rate,
                seconds, latencies.length, failures.get(),
                NearestRank.micros(latencies, 50), NearestRank.micros(latencies, 90),
                NearestRank.micros(latencies, 99), NearestRank.micros(latencies, 99.9),
                latencies[latencies.length - 1] / 1000.0);
    }

    private static final AtomicInteger failures = new AtomicInteger();

    private static long[] run(PolicyFixture fixture, int rate, int seconds, boolean measured) throws Exception {
        int total = rate * seconds;
        long[] latencies = new long[total];
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long intended = start + i * interval;
                long wait = intended - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int index = i;
                threads.submit(() -> {
                    try {
                        fixture.checkOnce();
                    } catch (RuntimeException e) {
                        if (measured) {
                            failures.incrementAndGet();
                        }
                    }
                    latencies[index] = System.nanoTime() - intended;
                });
            }
        }
        return latencies;
    }
}
