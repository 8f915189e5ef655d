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
