package dev.veil.server.console;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import dev.veil.server.audit.AuditEvent;
import dev.veil.server.audit.AuditLog;
import dev.veil.server.config.AuditConfig;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import dev.veil.spi.Usage;

/**
 * Not a test: a benchmark of the console's reads of the audit log. It writes {@code records} request records (100,000
 * by default) spread over the last hour with the real audit writer, starts Veil on that log and times the first read
 * (nothing cached) and then each read the console's pages make, printing percentiles as a Markdown table. How to run
 * it, and its results: docs/benchmarks.md, "Console reads".
 */
public final class ConsoleReadsBenchmark {
    private static final List<String> READS = List.of("/admin/requests/series?minutes=60",
            "/admin/requests/series?minutes=10080", "/admin/requests?limit=100",
            "/admin/requests?outcome=denied&limit=100", "/admin/requests?principal=no-such-team&limit=100");
    private static final int SAMPLES = 40;

    private ConsoleReadsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = Integer.parseInt(System.getProperty("records", "100000"));
        Path dir = Files.createTempDirectory("veil-console-bench");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = Files.writeString(dir.resolve("audit-key"), Base64.getEncoder().encodeToString(key) + "\n");
        Path database = dir.resolve("audit.db");
        long start = System.currentTimeMillis() - 3_600_000L;
        AtomicLong written = new AtomicLong();
        InstantSource spread = () -> Instant.ofEpochMilli(start + written.get() * 3_600_000L / records);
        long began = System.nanoTime();
        try (AuditLog log = AuditLog.open(new AuditConfig(database, true, new AuditConfig.KeyFile(keyFile),
                AuditConfig.DEFAULT_ROTATE, AuditConfig.DEFAULT_CHECKPOINT_RECORDS,
                AuditConfig.DEFAULT_CHECKPOINT_INTERVAL, false, AuditConfig.DEFAULT_MAX_CONTENT_BYTES,
                AuditConfig.DEFAULT_COMMIT_TIMEOUT, false), spread)) {
            for (int i = 0; i < records; i++) {
                log.record(event(i));
                written.incrementAndGet();
            }
        }
        System.out.printf("%,d records written in %.1f s (%,d bytes)%n", records, (System.nanoTime() - began) / 1e9,
                Files.size(database));
        try (FakeOpenAiUpstream upstream = new FakeOpenAiUpstream();
             VeilUnderTest veil = VeilUnderTest.start(VeilUnderTest.config(upstream, """
                       data-dir: "%s"
                       audit: {key-file: "%s", file: "%s"}
                     """.formatted(dir, keyFile, database)))) {
            long cold = System.nanoTime();
            get(veil, READS.get(0));
            System.out.printf("first read after start (every record decrypted): %.0f ms%n",
                    (System.nanoTime() - cold) / 1e6);
            System.out.println("| read | p50 ms | p95 ms | max ms |");
            System.out.println("|---|---:|---:|---:|");
            for (String read : READS) {
                for (int i = 0; i < 5; i++) {
                    get(veil, read);
                }
                long[] nanos = new long[SAMPLES];
                for (int i = 0; i < SAMPLES; i++) {
                    long before = System.nanoTime();
                    get(veil, read);
                    nanos[i] = System.nanoTime() - before;
                }
                Arrays.sort(nanos);
                System.out.printf("| `%s` | %.0f | %.0f | %.0f |%n", read, nanos[SAMPLES / 2] / 1e6,
                        nanos[(int) Math.ceil(0.95 * SAMPLES) - 1] / 1e6, nanos[SAMPLES - 1] / 1e6);
            }
        }
    }

    private static void get(VeilUnderTest veil, String path) {
        HttpResponse<String> answer = veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + path))
                .header("Authorization", "Bearer " + VeilUnderTest.MASTER_KEY).GET().build());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + answer.statusCode());
        }
    }

    /** A request as the audit log keeps it: ten teams, four models, one in 20 denied, one in 50 failing. */
    private static AuditEvent event(int i) {
        boolean denied = i % 20 == 0;
        boolean failed = i % 50 == 1;
        int status = denied ? 403 : failed ? 502 : 200;
        return new AuditEvent("req_" + i, "openai.chat", Optional.of("k" + (i % 200)), Optional.of("t" + (i % 3)),
                Optional.of("team" + (i % 10)), Optional.of("model-" + (i % 4)),
                denied ? Optional.empty() : Optional.of("openai"),
                denied ? Optional.empty() : Optional.of("gpt-" + (i % 4)), denied ? 0 : 1,
                Optional.of("d" + i), Optional.of("sha256:bench"),
                denied ? List.of("team may not use model-" + (i % 4)) : List.of(),
                i % 7 == 0 ? Map.of("EMAIL", 1) : Map.of(), denied ? Optional.empty() : Optional.of(Usage.of(40, 60)),
                denied ? OptionalLong.empty() : OptionalLong.of(700), 5_000 + (i % 100) * 100L, status,
                denied ? Optional.of("policy_denied") : failed ? Optional.of("upstream_error") : Optional.empty(),
                Optional.empty(), i % 5 == 0, i % 5 == 0 ? Optional.of("tenant") : Optional.empty(), false,
                Optional.of(() -> "a prompt of a few words"), Optional.of(() -> "an answer of a few words"));
    }
}
