package dev.veil.plugins.pii.detect;

import java.util.ArrayList;
import java.util.List;

/** The structured detectors as the plugin runs them, for tests that need the whole set. */
final class StructuredDetectors {
    static final List<Detector> ALL = List.of(new EmailDetector(), new PhoneDetector(PhoneDetector.DEFAULT_REGIONS),
            new PaymentCardDetector(), new IbanDetector(), new UsSsnDetector(), new IpAddressDetector(),
            new SecretDetector());

    private StructuredDetectors() {
    }

    static List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        for (Detector detector : ALL) {
            detector.detect(text, findings);
        }
        return findings;
    }
}
