package dev.veil.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ModelFieldTest {

    @Test
    void rewritesOnlyTheTopLevelModelAndKeepsEveryOtherByte() {
        String body = "{ \"metadata\":{\"model\":\"smart\"},\n  \"model\" :\t\"smart\" , \"x\":\"\\u00e9\"}";

        assertThat(rewrite(body, "claude-sonnet-4-5"))
                .isEqualTo("{ \"metadata\":{\"model\":\"smart\"},\n  \"model\" :\t\"claude-sonnet-4-5\" , \"x\":\"\\u00e9\"}");
    }

    @Test
    void handlesEscapesInTheOldValueAndQuotesInTheNewOne() {
        assertThat(rewrite("{\"model\":\"a\\\"b\\\\\",\"n\":1}", "c\"d"))
                .isEqualTo("{\"model\":\"c\\\"d\",\"n\":1}");
    }

    @Test
    void leavesABodyThatAlreadyNamesTheModelUntouched() {
        byte[] body = "{\"model\":\"claude\\u002dx\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(ModelField.rewrite(body, "claude-x")).isSameAs(body);
    }

    @Test
    void keepsMultiByteCharactersAroundTheModel() {
        assertThat(rewrite("{\"system\":\"grüße ✓\",\"model\":\"m\",\"t\":\"日本\"}", "claude"))
                .isEqualTo("{\"system\":\"grüße ✓\",\"model\":\"claude\",\"t\":\"日本\"}");
    }

    private static String rewrite(String body, String model) {
        return new String(ModelField.rewrite(body.getBytes(StandardCharsets.UTF_8), model), StandardCharsets.UTF_8);
    }
}
