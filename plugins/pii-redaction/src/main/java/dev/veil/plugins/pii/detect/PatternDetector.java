package dev.veil.plugins.pii.detect;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reports the matches of an operator's regular expression as a custom PII type, for identifiers only the operator
 * knows (employee numbers, internal account ids). When the pattern has a group named {@code pii}, only that group is
 * reported, so context can be matched without being redacted, as in {@code emp#(?<pii>\d{6})}.
 *
 * <p>Java's regular expressions backtrack: a pattern with nested repetition such as {@code (\w+\s?)+:} takes
 * exponential time on a text that almost matches, and nothing can interrupt a running match. So the matcher reads
 * the text through a counter that reports every {@value #READS_PER_CHECK} characters read as one costly check
 * (about as much work as one libphonenumber lookup), and the caller's bound on costly checks stops such a scan.
 */
public final class PatternDetector implements Detector {
    /** About 0.1 ms of matching. A pattern without nested repetition reads each character a few times. */
    static final int READS_PER_CHECK = 100_000;
    private static final String PII_GROUP = "pii";

    private final String type;
    private final Pattern pattern;
    private final boolean reportsGroup;

    public PatternDetector(String type, Pattern pattern) {
        this.type = Objects.requireNonNull(type, "type");
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.reportsGroup = pattern.namedGroups().containsKey(PII_GROUP);
    }

    @Override
    public void detect(String text, List<Finding> findings) {
        find(pattern.matcher(text), findings);
    }

    /** {@code costlyCheck} is called for every {@value #READS_PER_CHECK} characters the matcher reads. */
    @Override
    public void detect(String text, List<Finding> findings, Runnable costlyCheck) {
        find(pattern.matcher(new CountedText(text, costlyCheck)), findings);
    }

    private void find(Matcher matcher, List<Finding> findings) {
        while (matcher.find()) {
            int start = reportsGroup ? matcher.start(PII_GROUP) : matcher.start();
            int end = reportsGroup ? matcher.end(PII_GROUP) : matcher.end();
            if (start >= 0 && end > start) {
                findings.add(new Finding(start, end, type));
            }
        }
    }

    /** The text as the matcher sees it, counting the characters read. */
    private static final class CountedText implements CharSequence {
        private final String text;
        private final Runnable costlyCheck;
        private int readsUntilCheck = READS_PER_CHECK;

        CountedText(String text, Runnable costlyCheck) {
            this.text = text;
            this.costlyCheck = costlyCheck;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (--readsUntilCheck == 0) {
                readsUntilCheck = READS_PER_CHECK;
                costlyCheck.run();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
