package dev.veil.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs Veil's microbenchmarks by name and prints what each one is for: percentiles per case, throughput, what a
 * feature adds over its baseline. {@code bench/micro} builds this module and calls it.
 *
 * <p>Arguments: nothing or {@code list} to list the benchmarks; {@code NAME|all [--quick] [JMH options]} to run one
 * or all. JMH options (for example {@code -p route=ordered,breaker}, {@code -prof gc}, {@code -f 3}) take precedence
 * over the defaults here. Each JMH run writes its log ({@code NAME.txt}) and its results ({@code NAME.json}) to the
 * directory named by the {@code veil.bench.work} system property (default {@code bench/.work}).
 */
public final class Micro {
    private static final List<Entry> BENCHMARKS = List.of(
            new Entry("plugin-chain", "an empty and a 4-plugin chain per request (4 no-op plugins: <= 10 µs at p99)",
                    Micro::pluginChain),
            new Entry("pii-redaction", "PII detection in MB/s, redaction per 4 KB prompt and per streamed event "
                    + "(>= 50 MB/s structured, <= 100 µs p99, <= 5 µs per event)", Micro::piiRedaction),
            new Entry("pii-ner", "pii-redaction's optional NER detector per 1,000 tokens (reported; -p model=DIR for "
                    + "a real model)", Micro::piiNer),
            new Entry("routing", "the routing decision per strategy (<= 5 µs)", Micro::routing),
            new Entry("tracing", "what tracing adds per request (<= 30 µs)", Micro::tracing),
            new Entry("keys", "virtual-key lookup, limits and budgets per request (<= 20 µs at p99)", Micro::keys),
            new Entry("policy-check", "the policy check against a real OPA, at concurrency 1 (JMH) and at 1,000 "
                    + "checks/s (<= 0.25 ms p50, <= 1 ms p99)", Micro::policyCheck),
            new Entry("audit-log", "the audit log at 1,000 requests/s, sync and async (p99 <= 0.5 ms sync, <= 20 µs "
                    + "async); not JMH", Micro::auditLog));

    private Micro() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || List.of("list", "-h", "--help").contains(args[0])) {
            list();
            return;
        }
        List<Entry> chosen = args[0].equals("all") ? BENCHMARKS
                : BENCHMARKS.stream().filter(entry -> entry.name().equals(args[0])).toList();
        if (chosen.isEmpty()) {
            System.err.printf("micro: no benchmark '%s'; there are: all, %s%n", args[0],
                    BENCHMARKS.stream().map(Entry::name).collect(Collectors.joining(", ")));
            System.exit(2);
        }
        List<String> options = new ArrayList<>(List.of(args).subList(1, args.length));
        boolean quick = options.remove("--quick");
        try {
            new CommandLineOptions(options.toArray(String[]::new));
        } catch (CommandLineOptionException e) {
            System.err.println("micro: " + e.getMessage() + " (after the name: --quick, then JMH options)");
            System.exit(2);
        }
        Run run = new Run(quick, options,
                Files.createDirectories(Path.of(System.getProperty("veil.bench.work", "bench/.work"))));
        for (Entry entry : chosen) {
            try {
                entry.task().run(run);
            } catch (RunnerException e) {
                System.err.printf("micro: %s failed: %s; its JMH log is %s%n", entry.name(), e.getMessage(),
                        run.work().resolve(entry.name() + ".txt"));
                System.exit(1);
            } catch (IllegalStateException e) {
                System.err.printf("micro: %s failed: %s%n", entry.name(), e.getMessage());
                System.exit(1);
            }
        }
    }

    private static void list() {
        System.out.println("usage: bench/micro NAME|all [--quick] [JMH options]\n");
        for (Entry entry : BENCHMARKS) {
            System.out.printf("  %-14s %s%n", entry.name(), entry.about());
        }
    }

    private static void pluginChain(Run run) throws Exception {
        Map<String, Statistics> byPlugins = byParam(jmh(run, "plugin-chain", PluginChainBenchmark.class, false),
                "plugins");
        System.out.println();
        percentileTable("plugins", "---:", byPlugins, 3);
        Statistics none = byPlugins.get("0");
        Statistics four = byPlugins.get("4");
        if (none != null && four != null) {
            print("%n4 no-op plugins add p50 %.3f µs, p99 %.3f µs per request (target: <= 10 µs at p99)%n",
                    four.getPercentile(50) - none.getPercentile(50), four.getPercentile(99) - none.getPercentile(99));
        }
    }

    private static void piiNer(Run run) throws Exception {
        Collection<RunResult> results = jmh(run, "pii-ner", PiiNerBenchmark.class, true);
        String prompt = PiiNerBenchmark.prompt();
        System.out.println("\n| model | max-sequence | tokens in the 4 KB prompt | µs per prompt | ms per 1k tokens |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (RunResult result : results) {
            String model = result.getParams().getParam("model");
            int maxSequence = Integer.parseInt(result.getParams().getParam("maxSequence"));
            int tokens;
            try (var detector = PiiNerBenchmark.detector(model, maxSequence)) {
                tokens = detector.tokens(prompt);
            }
            double micros = result.getPrimaryResult().getScore();
            print("| %s | %d | %d | %.1f | %.3f |%n", model, maxSequence, tokens, micros, micros / tokens);
        }
    }

    private static void piiRedaction(Run run) throws Exception {
        Map<String, RunResult> byMethod = byMethod(jmh(run, "pii-redaction", PiiRedactionBenchmark.class, true));
        int questionChars = PiiTexts.questionPrompts(PiiRedactionBenchmark.SCAN_SIZE).stream()
                .mapToInt(String::length).sum();
        int notesBytes = PiiTexts.MEETING_NOTES.getBytes(StandardCharsets.UTF_8).length;
        System.out.println("\n| detection (one core, 64 KiB unless said) | MB/s | target |");
        System.out.println("|---|---:|---:|");
        throughputRow(byMethod, "structuredOnProse", "structured types, prose without PII",
                PiiRedactionBenchmark.SCAN_SIZE, ">= 50");
        throughputRow(byMethod, "structuredOnDense", "structured types, PII-dense tickets",
                PiiRedactionBenchmark.SCAN_SIZE, ">= 20");
        throughputRow(byMethod, "structuredOnQuestionPrompts",
                "structured types, 2 KB prompts of questions without PII", questionChars, "reported");
        throughputRow(byMethod, "personOnProse", "PERSON, prose without PII", PiiRedactionBenchmark.SCAN_SIZE,
                "reported");
        throughputRow(byMethod, "personOnDense", "PERSON, PII-dense tickets", PiiRedactionBenchmark.SCAN_SIZE,
                "reported");
        throughputRow(byMethod, "allTypesOnProse", "every built-in type, prose without PII",
                PiiRedactionBenchmark.SCAN_SIZE, "reported");
        throughputRow(byMethod, "allTypesOnDense", "every built-in type, PII-dense tickets",
                PiiRedactionBenchmark.SCAN_SIZE, "reported");
        throughputRow(byMethod, "personOnMeetingNotes",
                "PERSON, one " + notesBytes + "-byte prompt of meeting notes", notesBytes, "reported");
        System.out.println("\n| latency | p50 µs | p90 µs | p99 µs | p99.9 µs | target |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        if (byMethod.containsKey("redactPrompt")) {
            Statistics prompt = statistics(byMethod.get("redactPrompt"));
            print("| 4 KB prompt, request + decision phase | %.1f | %.1f | %.1f | %.1f | p99 <= 100 |%n",
                    prompt.getPercentile(50), prompt.getPercentile(90), prompt.getPercentile(99),
                    prompt.getPercentile(99.9));
        }
        if (byMethod.containsKey("restoreStream")) {
            Statistics stream = statistics(byMethod.get("restoreStream"));
            print("| stream restore, per event (10-event stream / 10) | %.2f | %.2f | %.2f | %.2f | <= 5 |%n",
                    stream.getPercentile(50) / 10, stream.getPercentile(90) / 10, stream.getPercentile(99) / 10,
                    stream.getPercentile(99.9) / 10);
        }
    }

    private static void routing(Run run) throws Exception {
        Map<String, Statistics> byRoute = byParam(jmh(run, "routing", RoutingBenchmark.class, true), "route");
        System.out.println();
        percentileTable("route", "---", byRoute, 3);
        byRoute.values().stream().mapToDouble(route -> route.getPercentile(99)).max().ifPresent(worst ->
                print("%nworst p99 %.3f µs per routing decision (target: <= 5 µs)%n", worst));
    }

    private static void tracing(Run run) throws Exception {
        Map<String, Statistics> byTracing = byParam(jmh(run, "tracing", TracingBenchmark.class, true), "tracing");
        System.out.println();
        percentileTable("tracing", "---", byTracing, 2);
        Statistics on = byTracing.get("on");
        Statistics off = byTracing.get("off");
        if (on != null && off != null) {
            print("%ntracing adds p50 %.2f µs, p99 %.2f µs per request (target: <= 30 µs)%n",
                    on.getPercentile(50) - off.getPercentile(50), on.getPercentile(99) - off.getPercentile(99));
        }
    }

    private static void keys(Run run) throws Exception {
        Map<String, Statistics> byMethod = new LinkedHashMap<>();
        byMethod(jmh(run, "keys", KeysBenchmark.class, false))
                .forEach((method, result) -> byMethod.put(method, statistics(result)));
        System.out.println();
        percentileTable("benchmark", "---", byMethod, 3);
    }

    private static void policyCheck(Run run) throws Exception {
        try (Opa opa = Opa.start(run.work().resolve("opa.log"))) {
            List<String> opaUrl = List.of("-D" + PolicyFixture.OPA_URL + "=" + opa.url());
            Collection<RunResult> results = jmh(run, "policy-check", PolicyCheckBenchmark.class, false, 1, opaUrl);
            for (RunResult result : results) {
                Statistics check = statistics(result);
                String label = result.getParams().getParam("cache").equals("true") ? "with the decision cache"
                        : "without cache";
                print("policy check at concurrency 1 (JMH), %s: p50 %.1f us, p90 %.1f us, p99 %.1f us, "
                                + "p99.9 %.1f us%n", label, check.getPercentile(50), check.getPercentile(90),
                        check.getPercentile(99), check.getPercentile(99.9));
            }
            List<String> load = run.quick() ? List.of("1000", "10", "5") : List.of("1000", "30", "15");
            fork(opaUrl, PolicyLoad.class, load);
            List<String> cached = new ArrayList<>(load);
            cached.add("cache");
            fork(opaUrl, PolicyLoad.class, cached);
        }
    }

    private static void auditLog(Run run) throws Exception {
        // fsync cost depends on the disk: VEIL_BENCH_DIR puts the databases on the disk a data dir would be on.
        Path dir = Path.of(System.getenv().getOrDefault("VEIL_BENCH_DIR", run.work().toString()));
        print("==> audit-log: AuditLoad, databases under %s%n", dir);
        fork(List.of("-Dseconds=" + (run.quick() ? 5 : 20), "-Ddir=" + dir), AuditLoad.class, List.of());
    }

    private static Collection<RunResult> jmh(Run run, String name, Class<?> benchmark, boolean oneThread)
            throws CommandLineOptionException, RunnerException {
        return jmh(run, name, benchmark, oneThread, 2, List.of());
    }

    /**
     * Runs one benchmark class with the usual settings (a few seconds per iteration; two forks for a full run unless
     * {@code fullForks} says otherwise), unless the JMH options given on the command line set them.
     *
     * @param oneThread whether the targets are per core, so one thread unless the benchmark or the options say more
     * @param jvmArgs   appended to every fork's command line
     */
    private static Collection<RunResult> jmh(Run run, String name, Class<?> benchmark, boolean oneThread,
            int fullForks, List<String> jvmArgs) throws CommandLineOptionException, RunnerException {
        CommandLineOptions given = new CommandLineOptions(run.jmhOptions().toArray(String[]::new));
        Path log = run.work().resolve(name + ".txt");
        ChainedOptionsBuilder options = new OptionsBuilder().parent(given)
                .include("^" + Pattern.quote(benchmark.getName() + "."))
                .resultFormat(ResultFormatType.JSON)
                .result(run.work().resolve(name + ".json").toString())
                .output(log.toString());
        if (!given.shouldFailOnError().hasValue()) {
            options.shouldFailOnError(true);
        }
        if (!given.getForkCount().hasValue()) {
            options.forks(run.quick() ? 1 : fullForks);
        }
        if (!given.getWarmupIterations().hasValue()) {
            options.warmupIterations(run.quick() ? 2 : 4);
        }
        if (!given.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.seconds(run.quick() ? 2 : 3));
        }
        if (!given.getMeasurementIterations().hasValue()) {
            options.measurementIterations(run.quick() ? 3 : 5);
        }
        if (!given.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(run.quick() ? 2 : 3));
        }
        if (oneThread && !given.getThreads().hasValue()) {
            options.threads(1);
        }
        if (!jvmArgs.isEmpty()) {
            options.jvmArgsAppend(jvmArgs.toArray(String[]::new));
        }
        print("==> %s: JMH %s%s (log: %s)%n", name, benchmark.getSimpleName(), run.quick() ? ", quick" : "", log);
        return new Runner(options.build()).run();
    }

    /**
     * Runs {@code main} in a JVM of its own, with this JVM's flags and class path, as JMH runs a fork: each open-loop
     * measurement starts with a cold JIT and a fresh heap, as it did when each had its own script.
     */
    private static void fork(List<String> jvmArgs, Class<?> main, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(main.getSimpleName() + " exited with status " + exit);
        }
    }

    private static Map<String, Statistics> byParam(Collection<RunResult> results, String param) {
        Map<String, Statistics> byValue = new LinkedHashMap<>();
        results.forEach(result -> byValue.put(result.getParams().getParam(param), statistics(result)));
        return byValue;
    }

    private static Map<String, RunResult> byMethod(Collection<RunResult> results) {
        Map<String, RunResult> byName = new LinkedHashMap<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            byName.put(benchmark.substring(benchmark.lastIndexOf('.') + 1), result);
        }
        return byName;
    }

    private static Statistics statistics(RunResult result) {
        return result.getPrimaryResult().getStatistics();
    }

    /** A Markdown table of p50, p90, p99 and p99.9 in microseconds, one row per case. */
    private static void percentileTable(String caseColumn, String caseAlignment, Map<String, Statistics> rows,
            int decimals) {
        print("| %s | p50 µs | p90 µs | p99 µs | p99.9 µs |%n", caseColumn);
        print("|%s|---:|---:|---:|---:|%n", caseAlignment);
        String row = "| %s" + (" | %." + decimals + "f").repeat(4) + " |%n";
        rows.forEach((name, statistics) -> print(row, name, statistics.getPercentile(50),
                statistics.getPercentile(90), statistics.getPercentile(99), statistics.getPercentile(99.9)));
    }

    /** A row of megabytes per second, from the average microseconds one scan of {@code bytes} took. */
    private static void throughputRow(Map<String, RunResult> byMethod, String method, String label, int bytes,
            String target) {
        RunResult result = byMethod.get(method);
        if (result != null) {
            print("| %s | %.1f | %s |%n", label, bytes / result.getPrimaryResult().getScore(), target);
        }
    }

    /** Prints with a decimal point whatever the machine's locale, as the tables in docs/benchmarks.md are. */
    private static void print(String format, Object... args) {
        System.out.print(String.format(Locale.ROOT, format, args));
    }

    /** What one invocation asked for. */
    private record Run(boolean quick, List<String> jmhOptions, Path work) {
    }

    private record Entry(String name, String about, Task task) {
    }

    @FunctionalInterface
    private interface Task {
        void run(Run run) throws Exception;
    }

    /**
     * An OPA serving the project's policies/ on a free loopback port for as long as the policy benchmarks run. The
     * binary is the {@code veil.opa} system property (bench/micro passes the one on PATH or in .tools/bin).
     */
    private record Opa(Process process, String url) implements AutoCloseable {
        static Opa start(Path log) throws IOException, InterruptedException {
            Path policies = Path.of(System.getProperty("veil.root", "."), "policies");
            String binary = System.getProperty("veil.opa", "opa");
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            String url = "http://127.0.0.1:" + port;
            Process process;
            try {
                process = new ProcessBuilder(binary, "run", "--server", "--addr", "127.0.0.1:" + port,
                        "--log-level", "error", policies.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run OPA (" + binary + "): put opa v1.22.3 on PATH, or run "
                        + "./veil run once, which installs it into .tools/bin", e);
            }
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest health = HttpRequest.newBuilder(URI.create(url + "/health")).build();
            for (int attempt = 0; attempt < 100 && process.isAlive(); attempt++) {
                try {
                    if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        print("==> OPA %s on %s, serving %s%n", binary, url, policies);
                        return new Opa(process, url);
                    }
                } catch (IOException notListeningYet) {
                    // OPA is still starting; the next attempt follows shortly.
                }
                Thread.sleep(100);
            }
            process.destroy();
            throw new IllegalStateException("OPA did not start on " + url + "; see " + log);
        }

        @Override
        public void close() {
            process.destroy();
            process.onExit().join();
        }
    }
}
