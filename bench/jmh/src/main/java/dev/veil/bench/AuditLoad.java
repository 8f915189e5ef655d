package dev.veil.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.veil.server.audit.AuditEvent;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.AuditConfig;
import dev.veil.spi.Usage;

/**
 * Open-loop audit cost: requests arrive at a fixed rate (1,000/s by default), each on its own virtual thread, and
 * each calls AuditLog.record with a realistic event (about 1 KiB of redacted prompt and answer). The figure is the
 * time record() adds to a request: enqueue only in async mode, enqueue plus waiting for the group commit in
 * sync mode (with and without an fsync per commit). Run by {@code bench/micro audit-log}.
 *
 * <p>System properties: {@code rate} (default 1000), {@code seconds} measured per mode (10), {@code warmup} seconds per
 * mode (3), {@code jitwarmup} seconds before the first mode (10), {@code dir} for the databases (the temporary
 * directory).
 */
public final class AuditLoad {
    public static void main(String[] args) throws Exception {
        int rate = Integer.parseInt(System.getProperty("rate", "1000"));
        int seconds = Integer.parseInt(System.getProperty("seconds", "10"));
        int warmup = Integer.parseInt(System.getProperty("warmup", "3"));
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("dir", System.getProperty("java.io.tmpdir"))),
                "veil-audit-bench");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(key));
        System.out.printf("%d requests/s for %d s after a JIT warm-up and %d s warm-up per mode; database in %s%n",
                rate, seconds, warmup, dir);
        System.out.println("| mode | requests | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        // The JIT compiles the encryption, hashing and JDBC paths here, once for all modes: otherwise the first mode
        // measured pays for it and the order of the modes decides the table.
        try (AuditLog log = AuditLog.open(config(dir.resolve("jit.db"), keyFile, false, false))) {
            run(log, rate, Integer.parseInt(System.getProperty("jitwarmup", "10")), null);
        }
        for (String mode : new String[] {"sync (default)", "sync, fsync: true", "async"}) {
            boolean async = mode.equals("async");
            AuditConfig config = config(dir.resolve(mode.replaceAll("[^a-z]", "") + ".db"), keyFile, async,
                    mode.contains("fsync: true"));
            try (AuditLog log = AuditLog.open(config)) {
                run(log, rate, warmup, null);
                long[] nanos = new long[rate * seconds];
                int count = run(log, rate, seconds, nanos);
                long[] sorted = Arrays.copyOf(nanos, count);
                Arrays.sort(sorted);
                System.out.printf("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", mode, count,
                        NearestRank.micros(sorted, 50), NearestRank.micros(sorted, 90), NearestRank.micros(sorted, 99),
                        NearestRank.micros(sorted, 99.9), sorted[sorted.length - 1] / 1000.0);
            }
        }
        // Four databases of tens of megabytes each: runs would otherwise pile them up under bench/.work.
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    private static AuditConfig config(Path database, Path keyFile, boolean async, boolean fsync) {
        return new AuditConfig(database, async, new AuditConfig.KeyFile(keyFile), AuditConfig.DEFAULT_ROTATE,
                AuditConfig.DEFAULT_CHECKPOINT_RECORDS, AuditConfig.DEFAULT_CHECKPOINT_INTERVAL, true,
                AuditConfig.DEFAULT_MAX_CONTENT_BYTES, AuditConfig.DEFAULT_COMMIT_TIMEOUT, fsync);
    }

    private static int run(AuditLog log, int rate, int seconds, long[] nanos) throws InterruptedException {
        AtomicInteger index = new AtomicInteger();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        int total = rate * seconds;
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                AuditEvent event = event("req-bench-" + i);
                requests.submit(() -> {
                    long begin = System.nanoTime();
                    log.record(event);
                    long took = System.nanoTime() - begin;
                    if (nanos != null) {
                        nanos[index.getAndIncrement()] = took;
                    }
                });
            }
        }
        return index.get();
    }

    private static AuditEvent event(String requestId) {
        String text = "Please summarise the attached note for <PERSON_1> at <EMAIL_1>. ".repeat(8);
        Supplier<String> prompt = () -> "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + text + "\"}]}";
        Supplier<String> response = () -> text;
        return new AuditEvent(requestId, "openai.chat", Optional.of("master"), Optional.of("acme"),
                Optional.of("support"), Optional.of("smart"), Optional.of("openai"), Optional.of("gpt-4o"), 1,
                Optional.of("4f6c0d0e-decision"), Optional.of("sha256:5d41402abc4b2a76b9719d911017c592"), List.of(),
                Map.of("PERSON", 1, "EMAIL", 1),
                Optional.of(Usage.of(220, 180)), OptionalLong.of(2_350), 41_000, 200, Optional.empty(),
                Optional.of("miss"), false, Optional.empty(), false, Optional.of(prompt), Optional.of(response));
    }
}
