package dev.veil.plugins.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class PlaceholdersTest {
    private final Placeholders placeholders = new Placeholders(Map.of("<EMAIL_1>", "ann@example.com",
            "<PERSON_12>", "Ann \"Nan\" Lee"), "<PERSON_12>".length());

    @Test
    void restoresEveryPlaceholderOfTheRequest() {
        assertThat(placeholders.restore("Write to <PERSON_12> at <EMAIL_1>, cc <EMAIL_1>.", false))
                .isEqualTo("Write to Ann \"Nan\" Lee at ann@example.com, cc ann@example.com.");
    }

    @Test
    void leavesPlaceholderShapesOfOtherRequestsAlone() {
        assertThat(placeholders.restore("<EMAIL_2> and <b>bold</b> and a < b > c", false))
                .isEqualTo("<EMAIL_2> and <b>bold</b> and a < b > c");
    }

    @Test
    void returnsTheSameTextWhenThereIsNothingToRestore() {
        String text = "no placeholders here";
        assertThat(placeholders.restore(text, false)).isSameAs(text);
    }

    @Test
    void encodesValuesRestoredIntoJson() {
        assertThat(placeholders.restore("{\"name\":\"<PERSON_12>\"}", true))
                .isEqualTo("{\"name\":\"Ann \\\"Nan\\\" Lee\"}");
    }

    @Test
    void restoresAPlaceholderAfterALongRunOfOpeningBrackets() {
        String run = "<".repeat(100_000);

        assertThat(placeholders.restore(run + "<EMAIL_1> " + run + ">", false))
                .isEqualTo(run + "ann@example.com " + run + ">");
    }

    @Test
    void holdsBackATailOnlyWhenOneOfManyPlaceholdersStartsWithIt() {
        Map<String, String> originals = new java.util.HashMap<>();
        for (int i = 1; i <= 10_000; i++) {
            originals.put("<EMAIL_" + i + ">", "user" + i + "@example.com");
        }
        Placeholders many = new Placeholders(originals, "<EMAIL_10000>".length());

        assertThat(many.pendingFrom("Mail <EMAIL_99")).isEqualTo(5);
        assertThat(many.pendingFrom("Mail <EMAIL_10000")).isEqualTo(5);
        assertThat(many.pendingFrom("Mail <EMAIL_0")).isEqualTo(13);
        assertThat(many.pendingFrom("Mail <EMAIL_10001")).isEqualTo(17);
        assertThat(many.pendingFrom("Mail <EMAIK")).isEqualTo(11);
    }

    @Test
    void holdsBackATailThatCouldStillBecomeAPlaceholder() {
        assertThat(placeholders.pendingFrom("Mail <EMA")).isEqualTo(5);
        assertThat(placeholders.pendingFrom("Mail <")).isEqualTo(5);
    }

    @Test
    void holdsBackNothingWhenTheTailCannotBecomeAPlaceholder() {
        assertThat(placeholders.pendingFrom("if a <b")).isEqualTo(7);
        assertThat(placeholders.pendingFrom("Mail <EMAIL_1> sent")).isEqualTo(19);
        assertThat(placeholders.pendingFrom("x <EMAIL_17")).isEqualTo(11);
    }
}
