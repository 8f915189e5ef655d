package dev.veil.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.veil.plugins.pii.PiiRedactionFactory;
import dev.veil.plugins.pii.PiiScanner;
import dev.veil.plugins.pii.detect.BankAccountDetector;
import dev.veil.plugins.pii.detect.DateOfBirthDetector;
import dev.veil.plugins.pii.detect.Detector;
import dev.veil.plugins.pii.detect.EmailDetector;
import dev.veil.plugins.pii.detect.Finding;
import dev.veil.plugins.pii.detect.IbanDetector;
import dev.veil.plugins.pii.detect.IpAddressDetector;
import dev.veil.plugins.pii.detect.MedicalRecordDetector;
import dev.veil.plugins.pii.detect.NationalIdDetector;
import dev.veil.plugins.pii.detect.PaymentCardDetector;
import dev.veil.plugins.pii.detect.PersonNameDetector;
import dev.veil.plugins.pii.detect.PhoneDetector;
import dev.veil.plugins.pii.detect.PostalAddressDetector;
import dev.veil.plugins.pii.detect.SecretDetector;
import dev.veil.plugins.pii.detect.UsSsnDetector;
import dev.veil.server.config.PluginEntry;
import dev.veil.server.plugins.PluginCatalog;
import dev.veil.server.plugins.PluginChain;
import dev.veil.server.core.ServerExchange;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.Extensions;
import dev.veil.spi.Role;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.StreamPhase;
import dev.veil.spi.plugin.StreamTransformer;
import io.opentelemetry.api.OpenTelemetry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What PII redaction costs. Detection throughput on 64 KiB of text, structured types and PERSON apart, with and
 * without personal data in it, and every built-in type together as the plugin's defaults scan, on 64 KiB of everyday
 * questions cut into 2 KB prompts, and PERSON on one prompt of meeting notes (average time per scan; bench/micro turns it into MB/s). Per-request latency of the whole plugin in
 * the chain — request and decision phases on a 4 KB prompt — and the per-event cost of restoring placeholders in a
 * stream, both sampled so that JMH reports percentiles.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PiiRedactionBenchmark {
    static final int SCAN_SIZE = 64 * 1024;
    static final int PROMPT_SIZE = 4 * 1024;

    private final Caller caller = new Caller("k_1", "acme", "support", Map.of());
    private PiiScanner structured;
    private PiiScanner allTypes;
    private Detector person;
    private String prose;
    private String dense;
    private List<String> questionPrompts;
    private PluginChain chain;
    private ChatRequest prompt;
    private StreamPhase streamPhase;
    private ServerExchange streamExchange;
    private ChatRequest streamRequest;
    private ChatChunk[] chunks;

    @Setup
    public void setUp() {
        structured = new PiiScanner(List.of(new EmailDetector(), new PhoneDetector(PhoneDetector.DEFAULT_REGIONS),
                new PaymentCardDetector(), new IbanDetector(), new UsSsnDetector(), new IpAddressDetector(),
                new SecretDetector()));
        person = new PersonNameDetector();
        allTypes = new PiiScanner(List.of(new EmailDetector(), new PhoneDetector(PhoneDetector.DEFAULT_REGIONS),
                new PaymentCardDetector(), new IbanDetector(), new UsSsnDetector(), new IpAddressDetector(),
                new SecretDetector(), new PersonNameDetector(), new NationalIdDetector(), new MedicalRecordDetector(),
                new BankAccountDetector(), new PostalAddressDetector(), new DateOfBirthDetector()));
        prose = PiiTexts.prose(SCAN_SIZE);
        dense = PiiTexts.dense(SCAN_SIZE);
        questionPrompts = PiiTexts.questionPrompts(SCAN_SIZE);
        chain = PluginChain.create(List.of(new PluginEntry(0, "pii-redaction", false, PluginEntry.DEFAULT_TIMEOUT,
                PluginSettings.empty("veil.plugins[0]"))), PluginCatalog.discover(Optional.empty()),
                Path.of("target/bench-data"), OpenTelemetry.noop());
        prompt = ChatRequest.of("smart", List.of(ChatMessage.text(Role.SYSTEM, "You are a helpful assistant."),
                ChatMessage.text(Role.USER, PiiTexts.prose(PROMPT_SIZE - 300) + " " + PiiTexts.dense(300))));

        Object plugin = new PiiRedactionFactory().create(PluginSettings.empty("veil.plugins[0]"),
                new BenchContext());
        streamPhase = (StreamPhase) plugin;
        streamExchange = new ServerExchange("req_1", "openai.chat", caller, true, Map.of(), System.nanoTime());
        streamRequest = ((RequestPhase) plugin).onRequest(ChatRequest.of("smart", List.of(ChatMessage.text(
                Role.USER, "Write to maria.keller@example.com about the refund."))), streamExchange);
        String[] pieces = {"Sure", ", I", " will", " write", " to", " <EMA", "IL_1>", " today", ".", " Regards"};
        chunks = new ChatChunk[pieces.length];
        for (int i = 0; i < pieces.length; i++) {
            chunks[i] = new ChatChunk("chatcmpl-1", 1L, "gpt-4o", List.of(new ChunkChoice(0,
                    Delta.content(pieces[i]), Optional.empty(), Extensions.NONE)), Optional.empty(),
                    Optional.empty(), Extensions.NONE);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public List<Finding> structuredOnProse() {
        return structured.scan(prose);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public List<Finding> structuredOnDense() {
        return structured.scan(dense);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public List<Finding> personOnProse() {
        List<Finding> found = new ArrayList<>();
        person.detect(prose, found);
        return found;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public List<Finding> personOnDense() {
        List<Finding> found = new ArrayList<>();
        person.detect(dense, found);
        return found;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public List<Finding> allTypesOnProse() {
        return allTypes.scan(prose);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public List<Finding> allTypesOnDense() {
        return allTypes.scan(dense);
    }

    /** The structured types on each of about 32 prompts of 2 KB, as requests bring them. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public void structuredOnQuestionPrompts(Blackhole sink) {
        for (String questionPrompt : questionPrompts) {
            sink.consume(structured.scan(questionPrompt));
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public List<Finding> personOnMeetingNotes() {
        List<Finding> found = new ArrayList<>();
        person.detect(PiiTexts.MEETING_NOTES, found);
        return found;
    }

    /** The plugin's request and decision phases on a 4 KB prompt, as the chain runs them per request. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public ChatRequest redactPrompt() {
        ServerExchange exchange = new ServerExchange("req_1", "openai.chat", caller, false, Map.of(),
                System.nanoTime());
        return chain.onDecision(chain.onRequest(prompt, exchange), exchange);
    }

    /**
     * One stream of a redacted request: ten events, one placeholder split across two of them; divide by ten for the
     * cost per event.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public void restoreStream(Blackhole sink) {
        StreamTransformer transformer = streamPhase.openStream(streamRequest, streamExchange);
        for (ChatChunk chunk : chunks) {
            transformer.onEvent(chunk, sink::consume);
        }
        transformer.onComplete(sink::consume);
    }

    /** Where the plugin keeps its hash key during the benchmark. */
    private static final class BenchContext implements PluginContext {
        @Override
        public String name() {
            return "pii-redaction";
        }

        @Override
        public System.Logger logger() {
            return System.getLogger("dev.veil.bench");
        }

        @Override
        public Path dataDir() {
            try {
                return java.nio.file.Files.createDirectories(Path.of("target/bench-data/pii-redaction"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
