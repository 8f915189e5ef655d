package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RedactionSessionTest {
    private final RedactionSession session = new RedactionSession(new PiiScanner(List.of(RegexDetector.EMAIL,
            RegexDetector.PERSON)), Set.of("EMAIL", "PERSON"), 100);

    @Test
    void givesTheSameValueTheSamePlaceholder() {
        String first = session.redact("From ann@example.com to bob@example.com", false);
        String second = session.redact("Again ann@example.com", false);
        assertThat(first).isEqualTo("From <EMAIL_1> to <EMAIL_2>");
        assertThat(second).isEqualTo("Again <EMAIL_1>");
    }

    @Test
    void numbersEachTypeOnItsOwn() {
        assertThat(session.redact("Alice Smith <ann@example.com>", false)).isEqualTo("<PERSON_1> <<EMAIL_1>>");
    }

    @Test
    void neverHandsOutAPlaceholderTheClientWroteItself() {
        session.reserve("my template uses <EMAIL_1> literally");
        assertThat(session.redact("ann@example.com", false)).isEqualTo("<EMAIL_2>");
        assertThat(session.placeholders().restore("<EMAIL_1> <EMAIL_2>", false))
                .isEqualTo("<EMAIL_1> ann@example.com");
    }

    @Test
    void countsFindingsByTypeWithoutValues() {
        session.redact("ann@example.com, ann@example.com and Bob Jones", false);
        assertThat(session.findings()).containsOnly(java.util.Map.entry("EMAIL", 2), java.util.Map.entry("PERSON",
                1));
    }

    @Test
    void remembersValuesFoundInJsonDecoded() {
        RedactionSession json = new RedactionSession(new PiiScanner(List.of(new RegexDetector("SECRET",
                java.util.regex.Pattern.compile("KEY\\[[^]]*]")))), Set.of("SECRET"), 100);
        String redacted = json.redact("{\"k\":\"KEY[a\\nb]\"}", true);
        assertThat(redacted).isEqualTo("{\"k\":\"<SECRET_1>\"}");
        assertThat(json.placeholders().restore("<SECRET_1>", false)).isEqualTo("KEY[a\nb]");
        assertThat(json.placeholders().restore("\"<SECRET_1>\"", true)).isEqualTo("\"KEY[a\\nb]\"");
    }

    @Test
    void returnsTheSameTextWhenNothingIsFound() {
        String text = "nothing personal";
        assertThat(session.redact(text, false)).isSameAs(text);
    }
}
