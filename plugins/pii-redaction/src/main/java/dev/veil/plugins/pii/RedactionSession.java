package dev.veil.plugins.pii;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.veil.plugins.pii.detect.Finding;
import dev.veil.spi.plugin.Pseudonyms;

/**
 * Pseudonymizes the texts of one request and remembers what it did: the placeholder of each distinct value (so a
 * value mentioned twice gets the same placeholder) and the finding counts by type. Every finding becomes a
 * placeholder first; which mode finally applies is settled once the policy has decided (see
 * {@link PiiRedactionPlugin#onDecision}), and a placeholder is what every mode can be derived from. A request that
 * continues a conversation starts from the conversation's placeholders ({@link #seed}).
 *
 * <p>What a session holds and does is bounded by {@code maxFindings}: past that many findings in the request, that
 * many placeholder-shaped strings written by the client, or that many candidates checked at a high cost (see
 * {@link dev.veil.plugins.pii.detect.Detector#detect(String, List, Runnable)}), it gives up with a
 * {@link TooManyFindingsException}.
 */
final class RedactionSession {
    static final Pattern PLACEHOLDER = Pattern.compile("<([A-Z][A-Z0-9_]*)_([0-9]+)>");

    private final PiiScanner scanner;
    private final Set<String> types;
    private final int maxFindings;
    private final Set<String> reserved = new HashSet<>();
    private final Map<String, String> placeholderByValue = new HashMap<>();
    private final Map<String, String> originalByPlaceholder = new HashMap<>();
    private final Map<String, Integer> lastNumber = new HashMap<>();
    private final Map<String, Integer> findings = new TreeMap<>();
    private int maxPlaceholderLength;
    private int found;
    private int costlyChecks;

    /**
     * @param types       the types {@code scanner} reports, the only ones a placeholder is ever handed out for
     * @param maxFindings the most findings, the most placeholder-shaped strings of those types, and the most costly
     *                    checks of candidates, one request may take
     */
    RedactionSession(PiiScanner scanner, Set<String> types, int maxFindings) {
        this.scanner = scanner;
        this.types = Set.copyOf(types);
        this.maxFindings = maxFindings;
    }

    /**
     * Continues a conversation: each value {@code conversation} holds keeps its placeholder, new values of a type are
     * numbered after its highest, and every one of them is restored in the answer. Call before anything is redacted.
     * A client who writes one of these placeholders literally gets it back as the value it stands for in the
     * conversation: the conversation's meaning of it was settled first.
     */
    void seed(Pseudonyms conversation) {
        conversation.originals().forEach((placeholder, original) -> {
            String type = typeOf(placeholder);
            placeholderByValue.put(type + '\u0000' + original, placeholder);
            originalByPlaceholder.put(placeholder, original);
            int number = Integer.parseInt(placeholder, type.length() + 2, placeholder.length() - 1, 10);
            lastNumber.merge(type, number, Math::max);
            maxPlaceholderLength = Math.max(maxPlaceholderLength, placeholder.length());
        });
    }

    /**
     * Notes placeholder-shaped strings the client itself wrote, so that no placeholder this session hands out equals
     * one of them — else restoring the answer would turn the client's literal {@code <EMAIL_1>} into an address.
     *
     * @throws TooManyFindingsException past {@code maxFindings} such strings: each is remembered for the request
     */
    void reserve(String text) {
        if (text.indexOf('<') < 0) {
            return;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (types.contains(m.group(1)) && reserved.add(m.group()) && reserved.size() > maxFindings) {
                throw new TooManyFindingsException();
            }
        }
    }

    /**
     * {@code text} with every finding replaced by its placeholder; the same instance when nothing was found.
     *
     * @param json whether {@code text} is a JSON document (tool-call arguments): values are then decoded before they
     *             are remembered, so they can be restored into plain text as well as into JSON
     * @throws TooManyFindingsException when the texts of the request so far hold more than {@code maxFindings}
     */
    String redact(String text, boolean json) {
        if (json) {
            return redactJson(text);
        }
        List<Finding> inText = scanner.scan(text, maxFindings - found, this::costlyCheck);
        if (inText.isEmpty()) {
            return text;
        }
        found += inText.size();
        StringBuilder out = new StringBuilder(text.length() + 16 * inText.size());
        int copied = 0;
        for (Finding finding : inText) {
            findings.merge(finding.type(), 1, Integer::sum);
            out.append(text, copied, finding.start())
                    .append(placeholder(finding.type(), text.substring(finding.start(), finding.end())));
            copied = finding.end();
        }
        return out.append(text, copied, text.length()).toString();
    }

    /**
     * Scans the strings of a JSON document decoded, as its reader will see them: a name written
     * {@code Sj\u00f6berg}, one after an escaped line break, a private key whose lines break with {@code \n} are
     * found whole, and the value remembered is the decoded one.
     */
    private String redactJson(String text) {
        JsonView view = JsonView.of(text);
        List<JsonView.Located> inText = view.locate(scanner.scan(view.decoded(), maxFindings - found,
                this::costlyCheck));
        if (inText.isEmpty()) {
            return text;
        }
        found += inText.size();
        StringBuilder out = new StringBuilder(text.length() + 16 * inText.size());
        int copied = 0;
        for (JsonView.Located located : inText) {
            Finding finding = located.raw();
            findings.merge(finding.type(), 1, Integer::sum);
            out.append(text, copied, finding.start()).append(placeholder(finding.type(), located.value()));
            copied = finding.end();
        }
        return out.append(text, copied, text.length()).toString();
    }

    private void costlyCheck() {
        if (++costlyChecks > maxFindings) {
            throw new TooManyFindingsException();
        }
    }

    /** Finding counts by type so far; never values. */
    Map<String, Integer> findings() {
        return Map.copyOf(findings);
    }

    /** The placeholders handed out. */
    Placeholders placeholders() {
        return originalByPlaceholder.isEmpty() ? Placeholders.NONE
                : new Placeholders(originalByPlaceholder, maxPlaceholderLength);
    }

    /** Every placeholder of the conversation so far: those it was seeded with and those handed out since. */
    Pseudonyms pseudonyms() {
        return Pseudonyms.of(originalByPlaceholder);
    }

    private String placeholder(String type, String value) {
        String key = type + '\u0000' + value;
        String existing = placeholderByValue.get(key);
        if (existing != null) {
            return existing;
        }
        int number = lastNumber.getOrDefault(type, 0);
        String placeholder;
        do {
            number++;
            placeholder = "<" + type + "_" + number + ">";
        } while (reserved.contains(placeholder));
        lastNumber.put(type, number);
        placeholderByValue.put(key, placeholder);
        originalByPlaceholder.put(placeholder, value);
        maxPlaceholderLength = Math.max(maxPlaceholderLength, placeholder.length());
        return placeholder;
    }

    /** The PII type a placeholder of this session stands for. */
    static String typeOf(String placeholder) {
        return placeholder.substring(1, placeholder.lastIndexOf('_'));
    }
}
