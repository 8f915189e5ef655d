package dev.veil.server.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * With pii-redaction before response-cache, the cache keys and stores the redacted exchange: one answer serves every
 * user of the same template, and each gets back their own personal data, never another user's.
 */
class ResponseCachePrivacyTest {
    private static final String CHAIN = """
              plugins:
                - name: pii-redaction
                - name: response-cache
            """;
    private static final String ANN = "ann.lee@example.org";
    private static final String BOB = "bob.marsh@example.com";

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, CHAIN));
    }

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
    }

    private static String asking(String email) {
        return "Write a reminder to " + email + " about the unpaid invoice.";
    }

    @Test
    void servesTheSameTemplateToAnotherUserWithTheirOwnEmail() throws Exception {
        HttpResponse<String> first = veil.post("/v1/chat/completions", ResponseCacheTest.chat(asking(ANN), false));

        HttpResponse<String> second = veil.post("/v1/chat/completions", ResponseCacheTest.chat(asking(BOB), false));

        assertThat(first.headers().firstValue("x-veil-cache")).hasValue("miss");
        assertThat(ResponseCacheTest.text(first)).isEqualTo(asking(ANN));
        assertThat(second.headers().firstValue("x-veil-cache")).hasValue("hit");
        assertThat(ResponseCacheTest.text(second)).isEqualTo(asking(BOB));
        assertThat(second.body()).doesNotContain(ANN);
        assertThat(upstream.received()).hasSize(1);
        assertThat(upstream.lastReceived().body().at("/messages/0/content").asText())
                .isEqualTo("Write a reminder to <EMAIL_1> about the unpaid invoice.");
    }

    @Test
    void storesAStreamedAnswerBeforeItsPlaceholdersAreRestored() throws Exception {
        HttpResponse<String> first = veil.post("/v1/chat/completions", ResponseCacheTest.chat(asking(ANN), true));

        HttpResponse<String> second = veil.post("/v1/chat/completions", ResponseCacheTest.chat(asking(BOB), true));

        assertThat(ResponseCacheTest.text(first)).isEqualTo(asking(ANN));
        assertThat(second.headers().firstValue("x-veil-cache")).hasValue("hit");
        assertThat(ResponseCacheTest.text(second)).isEqualTo(asking(BOB));
        assertThat(second.body()).doesNotContain(ANN);
        assertThat(upstream.received()).hasSize(1);
    }
}
