package dev.veil.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.plugins.TestPlugins;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero retention is one-way: once the client (or the tenant, or the policy) made an exchange zero-retention, a plugin
 * that tries to turn it off, or to ask the provider to store the request, is refused.
 */
class ZeroRetentionOneWayTest {
    private static final Map<String, String> ZERO_RETENTION = Map.of("x-veil-zero-retention", "true");

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        TestPlugins.RETENTION.clear();
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo());
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private void startWith(String undoerEntry) {
        veil = VeilUnderTest.start(VeilUnderTest.zeroRetentionConfig(upstream, """
                  plugins:
                    - %s
                    - name: retention-recorder
                """.formatted(undoerEntry)));
    }

    @Test
    void aPluginThatTurnsZeroRetentionOffFailsTheRequestBeforeItLeaves() {
        startWith("{name: retention-undoer}");

        HttpResponse<String> response = veil.send(Surfaces.openAi(veil, "hello", false, ZERO_RETENTION));

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("plugin_failed").contains("retention-undoer");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aFailOpenPluginThatTriesLeavesZeroRetentionInForce() throws Exception {
        startWith("{name: retention-undoer, fail-open: true}");

        HttpResponse<String> response = veil.send(Surfaces.openAi(veil, "hello", false, ZERO_RETENTION));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(TestPlugins.RETENTION.poll(5, TimeUnit.SECONDS)).isEqualTo("header");
    }

    @Test
    void aDecisionPhasePluginCannotAskTheProviderToStoreTheRequest() throws Exception {
        startWith("{name: retention-undoer, fail-open: true}");

        veil.send(Surfaces.openAi(veil, "hello", false, ZERO_RETENTION));

        assertThat(new ObjectMapper().readTree(upstream.lastReceived().body().toString()).path("store").asBoolean(true))
                .isFalse();
    }
}
