package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    @Test
    void sortsObjectKeysAtEveryDepth() {
        assertThat(CanonicalJson.canonical("{\"b\":1,\"a\":{\"d\":[{\"z\":1,\"y\":2}],\"c\":true}}"))
                .isEqualTo("{\"a\":{\"c\":true,\"d\":[{\"y\":2,\"z\":1}]},\"b\":1}");
    }

    @Test
    void dropsInsignificantWhitespace() {
        assertThat(CanonicalJson.canonical(" {\n  \"a\" : [ 1 , 2.5e3 , null ],\t\"b\" : \"x y\" }\r\n"))
                .isEqualTo("{\"a\":[1,2.5e3,null],\"b\":\"x y\"}");
    }

    @Test
    void spellsEquivalentStringsAlike() {
        assertThat(CanonicalJson.canonical("\"caf\\u00e9 \\/ \\\"q\\\" \\n\""))
                .isEqualTo(CanonicalJson.canonical("\"café / \\\"q\\\" \\u000a\""));
    }

    @Test
    void keepsArrayOrder() {
        assertThat(CanonicalJson.canonical("[2,1]")).isNotEqualTo(CanonicalJson.canonical("[1,2]"));
    }

    @Test
    void rejectsMalformedJsonWithoutQuotingIt() {
        assertThatThrownBy(() -> CanonicalJson.canonical("{\"secret\": tru}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> CanonicalJson.canonical("[1,2] x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.canonical("")).isInstanceOf(IllegalArgumentException.class);
    }
}
