package dev.veil.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.veil.plugins.pii.detect.Finding;
import dev.veil.plugins.pii.detect.ner.NerDetector;
import dev.veil.plugins.pii.detect.ner.NerSettings;
import dev.veil.spi.plugin.PluginSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What pii-redaction's optional NER detector costs: one scan of a 4 KB prompt of ordinary prose, tokenizer and model
 * runs included, on one thread (bench/micro turns it into time per 1,000 tokens). {@code model} is {@code tiny}, the
 * test model (a table lookup: what the detector costs around the model), or a directory holding
 * {@code model.onnx}, {@code vocab.txt} and {@code config.json}, such as a real model the operator exported
 * ({@code -p model=/models/bert-ner}).
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PiiNerBenchmark {
    static final int PROMPT_SIZE = 4 * 1024;

    @Param({"tiny"})
    public String model;

    @Param({"256"})
    public int maxSequence;

    private NerDetector detector;
    private String prompt;

    @Setup
    public void setUp() {
        detector = detector(model, maxSequence);
        prompt = prompt();
    }

    @TearDown
    public void tearDown() {
        detector.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public List<Finding> nerOnPrompt() {
        List<Finding> findings = new ArrayList<>();
        detector.detect(prompt, findings);
        return findings;
    }

    static String prompt() {
        return PiiTexts.prose(PROMPT_SIZE);
    }

    static NerDetector detector(String model, int maxSequence) {
        Path dir = model.equals("tiny")
                ? Path.of(System.getProperty("veil.root", "."), "plugins/pii-redaction/src/test/resources/ner")
                : Path.of(model);
        return NerSettings.detector(new PluginSettings("bench.ner", Map.of(
                "model", dir.resolve("model.onnx").toString(),
                "vocab", dir.resolve("vocab.txt").toString(),
                "labels", dir.resolve("config.json").toString(),
                "max-sequence", String.valueOf(maxSequence))));
    }
}
