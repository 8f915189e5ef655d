package dev.veil.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import dev.veil.server.config.AccountingConfig;
import dev.veil.server.config.TargetRef;
import dev.veil.server.accounting.BudgetScope;
import dev.veil.server.accounting.BudgetSpec;
import dev.veil.server.accounting.Keys;
import dev.veil.server.accounting.Metering;
import dev.veil.server.accounting.VirtualKey;
import dev.veil.spi.Usage;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * What virtual keys add to one request (issue target: at most 20 µs at p99): authenticating a key (map read and
 * HMAC), the allowed-model check, RPM/TPM admission, reserving an estimate in key, team and tenant budgets, and
 * settling the actual cost into the budgets and the spend ledger. SQLite is not on this path; its writer runs in the
 * background.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(4)
public class KeysBenchmark {
    private static final Metering.HeaderSink NO_HEADERS = (name, value) -> { };
    /** The largest limits keys.db accepts (ValueBounds), so that admission checks the limits but never refuses. */
    private static final long MOST_REQUESTS_PER_MINUTE = 1_000_000_000L;
    private static final long MOST_TOKENS_PER_MINUTE = 1_000_000_000_000L;

    private Path dataDir;
    private Metering metering;
    private String key;
    private Outcome outcome;

    @Setup
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("veil-keys-bench");
        metering = Metering.open(dataDir, AccountingConfig.defaults(),
                model -> Optional.of(List.of(new TargetRef("openai", "gpt-4o"))));
        Keys.Issued issued = metering.keys().create(new VirtualKey("", "bench", "acme", "support",
                Map.of("env", "prod"), List.of("gpt-4o*", "smart"), VirtualKey.SCOPE_CHAT, Optional.empty(),
                MOST_REQUESTS_PER_MINUTE, MOST_TOKENS_PER_MINUTE, java.time.Instant.now(), Optional.empty(),
                Optional.empty()));
        key = issued.secret();
        long plenty = 1_000_000_000_000L;
        metering.putBudget(new BudgetSpec(BudgetScope.key(issued.key().id()), BudgetSpec.DAY, plenty, plenty));
        metering.putBudget(new BudgetSpec(BudgetScope.team("acme", "support"), BudgetSpec.MONTH, plenty, plenty));
        metering.putBudget(new BudgetSpec(BudgetScope.tenant("acme"), BudgetSpec.MONTH, plenty, plenty));
        outcome = new Outcome(200, Optional.empty(), Optional.of(Usage.of(120, 40)), Duration.ofMillis(5),
                Optional.of("openai"), Optional.of("gpt-4o"), 1, false);
    }

    @TearDown
    public void tearDown() throws Exception {
        metering.close();
        try (var files = Files.list(dataDir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dataDir);
    }

    /** Authenticate, admit (models, limits, three budget reservations), settle. */
    @Benchmark
    public Caller authenticateAdmitAndSettle() {
        Caller caller = metering.keys().authenticate(key).caller();
        Metering.Ticket ticket = metering.admit(caller, "gpt-4o", 480, OptionalInt.of(256), NO_HEADERS);
        ticket.settle(Optional.of(outcome));
        return caller;
    }

    /** Authentication alone: the map read and the salted HMAC. */
    @Benchmark
    public Caller authenticate() {
        return metering.keys().authenticate(key).caller();
    }
}
