package dev.veil.plugins.pii.detect;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reports the matches of an operator's regular expression as a custom PII type, for identifiers only the operator
 * knows (employee numbers, internal account ids). When the pattern has a group named {@code pii}, only that group is
 * reported, so context can be matched without being redacted, as in {@code emp#(?<pii>\d{6})}.
 */
public final class PatternDetector implements Detector {
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
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            int start = reportsGroup ? matcher.start(PII_GROUP) : matcher.start();
            int end = reportsGroup ? matcher.end(PII_GROUP) : matcher.end();
            if (start >= 0 && end > start) {
                findings.add(new Finding(start, end, type));
            }
        }
    }
}
