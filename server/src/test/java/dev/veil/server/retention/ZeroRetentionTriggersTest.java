package dev.veil.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.veil.server.plugins.TestPlugins;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * What makes an exchange zero-retention through the real server, seen where it matters — the provider gets
 * {@code store: false} — and in the reason recorded for the audit record.
 */
class ZeroRetentionTriggersTest {
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

    private void startWith(String zeroRetentionEntry) {
        veil = VeilUnderTest.start(VeilUnderTest.zeroRetentionConfig(upstream, """
                  plugins:
                    - %s
                    - name: retention-recorder
                """.formatted(zeroRetentionEntry)));
    }

    private JsonNode send(Map<String, String> headers) {
        HttpResponse<String> response = veil.send(Surfaces.openAi(veil, "hello", false, headers));
        assertThat(response.statusCode()).isEqualTo(200);
        return upstream.lastReceived().body();
    }

    private static String reason() throws InterruptedException {
        return TestPlugins.RETENTION.poll(5, TimeUnit.SECONDS);
    }

    @Test
    void keepsZeroRetentionForAZeroRetentionTenantWhoseClientSaysFalse() throws Exception {
        startWith("{name: zero-retention, tenants: [default]}");

        JsonNode sent = send(Map.of("x-veil-zero-retention", "false"));

        assertThat(sent.path("store").isBoolean()).isTrue();
        assertThat(sent.path("store").asBoolean()).isFalse();
        assertThat(reason()).isEqualTo("tenant");
    }

    @Test
    void appliesZeroRetentionToAListedDataClass() throws Exception {
        startWith("{name: zero-retention, data-classes: [health]}");

        JsonNode sent = send(Map.of("x-veil-metadata", "{\"data_class\":\"Health\"}"));

        assertThat(sent.path("store").asBoolean(true)).isFalse();
        assertThat(reason()).isEqualTo("data_class");
    }

    @Test
    void leavesAnUnlistedDataClassToRetainAsUsual() throws Exception {
        startWith("{name: zero-retention, data-classes: [health]}");

        JsonNode sent = send(Map.of("x-veil-metadata", "{\"data_class\":\"marketing\"}"));

        assertThat(sent.has("store")).isFalse();
        assertThat(reason()).isEqualTo("none");
    }

    @Test
    void leavesATenantThatIsNotListedToRetainAsUsual() throws Exception {
        startWith("{name: zero-retention, tenants: [bank, clinic]}");

        JsonNode sent = send(Map.of());

        assertThat(sent.has("store")).isFalse();
        assertThat(reason()).isEqualTo("none");
    }

    @Test
    void recordsTheClientsHeaderAsTheReasonWhenNoSettingRequiresIt() throws Exception {
        startWith("{name: zero-retention, tenants: [bank]}");

        JsonNode sent = send(Map.of("x-veil-zero-retention", "true"));

        assertThat(sent.path("store").asBoolean(true)).isFalse();
        assertThat(reason()).isEqualTo("header");
    }

    @Test
    void appliesZeroRetentionToEveryRequestWithAll() throws Exception {
        startWith("{name: zero-retention, all: true}");

        JsonNode sent = send(Map.of());

        assertThat(sent.path("store").asBoolean(true)).isFalse();
        assertThat(reason()).isEqualTo("all");
    }
}
