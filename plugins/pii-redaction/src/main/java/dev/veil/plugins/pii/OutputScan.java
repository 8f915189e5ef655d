package dev.veil.plugins.pii;

import java.util.List;
import java.util.Map;

import dev.veil.plugins.pii.detect.Finding;
import dev.veil.spi.plugin.RedactionObligations;

/**
 * Redacts personal data the model wrote on its own — values that were not in the request, so there is nothing to
 * put back. Runs on the answer before placeholders are restored, so the client's own values are never touched.
 * {@code mask} and {@code hash} apply as configured; otherwise the value becomes a bare type label such as
 * {@code <EMAIL>}, which a reader sees as withheld, not as a placeholder to fill in.
 */
final class OutputScan {
    /** How much of a streamed sentence may wait before it goes out even without a sentence end. */
    private static final int MAX_HELD = 1024;

    private final PiiScanner scanner;
    private final RedactionModes modes;
    private final KeyedHasher hasher;
    private final FindingsLimit limit;

    OutputScan(PiiScanner scanner, RedactionModes modes, KeyedHasher hasher, FindingsLimit limit) {
        this.scanner = scanner;
        this.modes = modes;
        this.hasher = hasher;
        this.limit = limit;
    }

    /**
     * Where a streamed text must wait for more before it can be scanned: after the last line or sentence end, since
     * personal data (a name, a phone number in groups) rarely spans one; past {@link #MAX_HELD} characters, after
     * the last space, so that a stream is never held back indefinitely.
     */
    static int pendingFrom(String text) {
        int cut = text.lastIndexOf('\n') + 1;
        for (int i = text.length() - 2; i >= cut; i--) {
            char c = text.charAt(i);
            if ((c == '.' || c == '!' || c == '?') && Character.isWhitespace(text.charAt(i + 1))) {
                cut = i + 2;
                break;
            }
        }
        if (text.length() - cut > MAX_HELD) {
            int space = text.lastIndexOf(' ');
            cut = space > cut ? space + 1 : text.length();
        }
        return cut;
    }

    /**
     * A rewrite of the texts of one answer that redacts new findings and adds their counts by type to
     * {@code counts}. It fails closed, with a 502, once a text holds more findings than {@code max-findings}, or the
     * answer more candidates that are costly to check.
     */
    TextRewrite rewrite(RedactionObligations decided, Map<String, Integer> counts) {
        int[] costlyChecks = new int[1];
        Runnable costlyCheck = () -> {
            if (++costlyChecks[0] > limit.max()) {
                throw new TooManyFindingsException();
            }
        };
        return (text, json) -> {
            JsonView view = json ? JsonView.of(text) : null;
            List<Finding> found;
            try {
                found = scanner.scan(json ? view.decoded() : text, limit.max(), costlyCheck);
            } catch (TooManyFindingsException e) {
                throw limit.inAnswer();
            }
            if (found.isEmpty()) {
                return text;
            }
            List<JsonView.Located> located = json ? view.locate(found) : found.stream()
                    .map(finding -> new JsonView.Located(finding, text.substring(finding.start(), finding.end())))
                    .toList();
            StringBuilder out = new StringBuilder(text.length());
            int copied = 0;
            for (JsonView.Located each : located) {
                Finding finding = each.raw();
                counts.merge(finding.type(), 1, Integer::sum);
                String replacement = switch (modes.of(finding.type(), decided)) {
                    case MASK -> Masking.mask(each.value());
                    case HASH -> Masking.hash(hasher, finding.type(), each.value());
                    case PSEUDONYMIZE, BLOCK -> "<" + finding.type() + ">";
                };
                out.append(text, copied, finding.start()).append(json ? JsonText.encode(replacement) : replacement);
                copied = finding.end();
            }
            return out.append(text, copied, text.length()).toString();
        };
    }
}
