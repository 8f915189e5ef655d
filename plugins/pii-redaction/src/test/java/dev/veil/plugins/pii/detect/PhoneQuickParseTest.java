package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;

/**
 * The detector's shortcut past libphonenumber's {@code parse} is trusted only when it says yes, so it must never
 * say yes where {@code parse} would say no — checked on random numbers in the layouts people write.
 */
class PhoneQuickParseTest {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private final PhoneDetector detector = new PhoneDetector();
    private final Random random = new Random(42);

    @Test
    void neverCallsPossibleWhatParseCallsImpossible() {
        for (String[] candidate : candidates()) {
            Phonenumber.PhoneNumber quick = detector.quickParse(candidate[0], candidate[1]);
            if (quick != null && UTIL.isPossibleNumber(quick)) {
                assertThat(slow(candidate, false)).as("%s in %s", candidate[0], candidate[1]).isTrue();
            }
        }
    }

    @Test
    void neverCallsValidWhatParseCallsInvalid() {
        for (String[] candidate : candidates()) {
            Phonenumber.PhoneNumber quick = detector.quickParse(candidate[0], candidate[1]);
            if (quick != null && UTIL.isValidNumber(quick)) {
                assertThat(slow(candidate, true)).as("%s in %s", candidate[0], candidate[1]).isTrue();
            }
        }
    }

    @Test
    void takesTheShortcutForCommonLayouts() {
        assertThat(detector.quickParse("+49 30 901820", "ZZ")).isNotNull();
        assertThat(detector.quickParse("06 12 34 56 78", "FR")).isNotNull();
        assertThat(detector.quickParse("(415) 555-0132", "US")).isNotNull();
        assertThat(detector.quickParse("1-415-555-0132", "US")).isNotNull();
    }

    private static boolean slow(String[] candidate, boolean valid) {
        try {
            Phonenumber.PhoneNumber number = UTIL.parse(candidate[0], candidate[1]);
            return valid ? UTIL.isValidNumber(number) : UTIL.isPossibleNumber(number);
        } catch (NumberParseException e) {
            return false;
        }
    }

    private List<String[]> candidates() {
        List<String[]> candidates = new ArrayList<>();
        String[] separators = {" ", "-", ".", ""};
        for (int i = 0; i < 20_000; i++) {
            String region = PhoneDetector.DEFAULT_REGIONS.get(random.nextInt(PhoneDetector.DEFAULT_REGIONS.size()));
            String separator = separators[random.nextInt(separators.length)];
            StringBuilder number = new StringBuilder();
            switch (random.nextInt(4)) {
                case 0 -> number.append('+').append(1 + random.nextInt(998)).append(separator);
                case 1 -> number.append("00").append(1 + random.nextInt(99)).append(separator);
                case 2 -> number.append('0');
                default -> number.append(random.nextBoolean() ? "1" + separator : "");
            }
            int groups = 2 + random.nextInt(4);
            for (int g = 0; g < groups; g++) {
                int length = 2 + random.nextInt(3);
                for (int d = 0; d < length; d++) {
                    number.append(random.nextInt(10));
                }
                if (g < groups - 1) {
                    number.append(separator);
                }
            }
            candidates.add(new String[] {number.toString(), number.charAt(0) == '+' ? "ZZ" : region});
        }
        return candidates;
    }
}
