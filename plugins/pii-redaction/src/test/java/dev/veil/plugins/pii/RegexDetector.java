package dev.veil.plugins.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.veil.plugins.pii.detect.Detector;
import dev.veil.plugins.pii.detect.Finding;

/** A stand-in detector for tests of what the plugin does with findings, independent of the real detectors. */
record RegexDetector(String type, Pattern pattern) implements Detector {
    static final RegexDetector EMAIL = new RegexDetector("EMAIL", Pattern.compile("[\\w.+-]+@[\\w-]+(\\.[\\w-]+)+"));
    static final RegexDetector PERSON = new RegexDetector("PERSON", Pattern.compile("(Alice|Bob) [A-Z][a-z]+"));

    @Override
    public void detect(String text, List<Finding> findings) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            findings.add(new Finding(m.start(), m.end(), type));
        }
    }
}
