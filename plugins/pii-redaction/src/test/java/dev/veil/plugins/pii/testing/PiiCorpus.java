package dev.veil.plugins.pii.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The labelled PII corpus ({@code plugins/pii-redaction/src/test/resources/pii/dev.jsonl}, or the
 * {@code veil.pii.corpus} system property): texts with the spans a detector must find and look-alike values it must
 * leave alone. It is a copy of the shared corpus, kept in the project so that a lone clone tests itself.
 */
public final class PiiCorpus {
    /** A labelled span. */
    public record Span(int start, int end, String type, String value) {
    }

    /** A look-alike that must survive. */
    public record Negative(String value, String kind) {
    }

    /** One labelled text. */
    public record Sample(int id, String lang, String text, List<Span> spans, List<Negative> negatives) {
    }

    private PiiCorpus() {
    }

    public static Path path() {
        String configured = System.getProperty("veil.pii.corpus");
        if (configured == null) {
            throw new IllegalStateException("system property veil.pii.corpus is not set; run the tests through Maven");
        }
        Path path = Path.of(configured).normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("PII corpus not found at " + path
                    + "; it lives in plugins/pii-redaction/src/test/resources/pii/dev.jsonl (set -Dveil.pii.corpus to move it)");
        }
        return path;
    }

    public static List<Sample> load() {
        ObjectMapper json = new ObjectMapper();
        List<Sample> samples = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(path())) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = json.readTree(line);
                List<Span> spans = new ArrayList<>();
                node.path("spans").forEach(s -> spans.add(new Span(s.path("start").asInt(), s.path("end").asInt(),
                        s.path("type").asText(), s.path("value").asText())));
                List<Negative> negatives = new ArrayList<>();
                node.path("negatives").forEach(n -> negatives.add(new Negative(n.path("value").asText(),
                        n.path("kind").asText())));
                samples.add(new Sample(node.path("id").asInt(), node.path("lang").asText(),
                        node.path("text").asText(), List.copyOf(spans), List.copyOf(negatives)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(samples);
    }
}
