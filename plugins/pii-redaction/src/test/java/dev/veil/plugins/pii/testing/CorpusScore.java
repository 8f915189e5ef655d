package dev.veil.plugins.pii.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How well redaction did on a labelled corpus, scored from what would have reached the provider and what the client
 * got back — so that any way of running redaction (the plugin's phases, the real server, a stream, tool-call
 * arguments) is judged alike. Feed it each sample with {@link #add}, then {@link #print} and
 * {@link #assertMeetsTheBar}.
 *
 * <ul>
 *   <li>A labelled value counts as redacted when neither it nor any of its words of three or more characters
 *       reached the provider — a name whose surname got through was not redacted — beyond the times the sample
 *       uses that word outside its labelled spans.</li>
 *   <li>A look-alike is kept when the provider got it as often as the sample holds it.</li>
 *   <li>A round trip is exact when the client got its own text back, character for character.</li>
 * </ul>
 * {@code bench/presidio/evaluate.py} scores Presidio by the same rules.
 */
public final class CorpusScore {
    /** The bar of issue 21: per type, the least recall; the rest of the bar is below. */
    public static final Map<String, Double> MIN_RECALL = Map.of("PERSON", 0.95, "POSTAL_ADDRESS", 0.90,
            "DATE_OF_BIRTH", 0.90);
    public static final double MIN_STRUCTURED_RECALL = 0.99;
    public static final double MIN_LOOK_ALIKES_KEPT = 0.99;
    public static final double MIN_ROUND_TRIP = 0.99;

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
    /** Placeholders and labels the redaction wrote ({@code <EMAIL_1>}, {@code <EMAIL>}): their words are not leaks. */
    private static final Pattern PLACEHOLDER = Pattern.compile("<[A-Z][A-Z0-9_]*(:[0-9a-f]+)?>");

    /**
     * A labelled value that reached the provider, or a look-alike that did not, and what was sent, for whoever tunes
     * a detector.
     */
    public record Miss(int sampleId, String kind, String value, String sent) {
    }

    private final String label;
    private final Map<String, int[]> byType = new TreeMap<>();
    private final List<Miss> missed = new ArrayList<>();
    private final List<Miss> lookAlikesLost = new ArrayList<>();
    private final List<Integer> notExact = new ArrayList<>();
    private int lookAlikes;
    private int kept;
    private int samples;
    private int exact;
    private long nanos;

    /** @param label what was run on which corpus, such as {@code "dev-v2, messages"} */
    public CorpusScore(String label) {
        this.label = label;
    }

    /**
     * Scores one sample.
     *
     * @param sent   the text as the provider would have received it
     * @param answer the text as the client got it back from an answer that repeated {@code sent}
     * @param nanos  the time redaction and restoring took, for the time per record
     */
    public void add(PiiCorpus.Sample sample, String sent, String answer, long nanos) {
        samples++;
        this.nanos += nanos;
        String outsideSpans = sample.text();
        for (PiiCorpus.Span span : sample.spans()) {
            outsideSpans = outsideSpans.replace(span.value(), " ");
        }
        for (PiiCorpus.Span span : sample.spans()) {
            int[] counts = byType.computeIfAbsent(span.type(), type -> new int[2]);
            counts[1]++;
            if (redacted(span.value(), sent, outsideSpans)) {
                counts[0]++;
            } else {
                missed.add(new Miss(sample.id(), span.type(), span.value(), sent));
            }
        }
        for (PiiCorpus.Negative negative : sample.negatives()) {
            lookAlikes++;
            if (occurrences(sent, negative.value()) >= occurrences(sample.text(), negative.value())) {
                kept++;
            } else {
                lookAlikesLost.add(new Miss(sample.id(), negative.kind(), negative.value(), sent));
            }
        }
        if (answer.equals(sample.text())) {
            exact++;
        } else {
            notExact.add(sample.id());
        }
    }

    private static boolean redacted(String value, String sent, String outsideSpans) {
        if (sent.contains(value)) {
            return false;
        }
        String sentWords = PLACEHOLDER.matcher(sent).replaceAll(" ");
        Matcher words = WORD.matcher(value);
        while (words.find()) {
            String word = words.group();
            if (word.length() >= 3 && occurrences(sentWords, word) > occurrences(outsideSpans, word)) {
                return false;
            }
        }
        return true;
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    /** Recall of {@code type}: the share of its labelled values that did not reach the provider. */
    public double recall(String type) {
        int[] counts = byType.get(type);
        return counts == null ? 1.0 : (double) counts[0] / counts[1];
    }

    public Set<String> types() {
        return byType.keySet();
    }

    public double lookAlikesKept() {
        return lookAlikes == 0 ? 1.0 : (double) kept / lookAlikes;
    }

    public double roundTrip() {
        return samples == 0 ? 1.0 : (double) exact / samples;
    }

    public List<Miss> missed() {
        return List.copyOf(missed);
    }

    public List<Miss> lookAlikesLost() {
        return List.copyOf(lookAlikesLost);
    }

    public List<Integer> notExact() {
        return List.copyOf(notExact);
    }

    /** The table: one line per type, then look-alikes, round trip and time per record. */
    public String table() {
        StringBuilder out = new StringBuilder("pii corpus " + label + " (" + samples + " records):\n");
        byType.forEach((type, counts) -> out.append(String.format("  %-16s %.3f (%d/%d)%n", type,
                (double) counts[0] / counts[1], counts[0], counts[1])));
        out.append(String.format("  %-16s %.3f (%d/%d)%n", "look-alikes kept", lookAlikesKept(), kept, lookAlikes));
        out.append(String.format("  %-16s %.3f (%d/%d)%n", "round trip", roundTrip(), exact, samples));
        out.append(String.format("  %-16s %.3f ms mean%n", "time per record", samples == 0 ? 0.0
                : nanos / 1e6 / samples));
        return out.toString();
    }

    /** Prints the table, and with {@code -Dveil.pii.corpus.misses=true} every miss, for tuning. */
    public void print() {
        System.out.print(table());
        if (Boolean.getBoolean("veil.pii.corpus.misses")) {
            missed.forEach(miss -> System.out.printf("    missed %s #%d: %s%n      sent: %s%n", miss.kind(),
                    miss.sampleId(), miss.value(), miss.sent().replace("\n", "\\n")));
            lookAlikesLost.forEach(miss -> System.out.printf("    look-alike lost %s #%d: %s%n      sent: %s%n",
                    miss.kind(), miss.sampleId(), miss.value(), miss.sent().replace("\n", "\\n")));
            notExact.forEach(id -> System.out.printf("    not restored exactly #%d%n", id));
        }
    }

    /** Asserts the bar of issue 21 on every type the corpus labels. */
    public void assertMeetsTheBar() {
        byType.keySet().forEach(type -> assertThat(recall(type)).as("%s recall on %s", type, label)
                .isGreaterThanOrEqualTo(MIN_RECALL.getOrDefault(type, MIN_STRUCTURED_RECALL)));
        assertThat(lookAlikesKept()).as("look-alikes kept on %s: lost %s", label, lookAlikesLost)
                .isGreaterThanOrEqualTo(MIN_LOOK_ALIKES_KEPT);
        assertThat(roundTrip()).as("round trip on %s: not exact %s", label, notExact)
                .isGreaterThanOrEqualTo(MIN_ROUND_TRIP);
    }
}
