package dev.veil.server.telemetry;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.LocalIssuer;
import dev.veil.server.testing.VeilUnderTest;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request span names the user behind a token as the issuer's config says: the claim, or its pseudonym. */
class UserSpanAttributeTest {
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private LocalIssuer issuer;
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @AfterEach
    void stop() throws Exception {
        veil.close();
        upstream.close();
        issuer.close();
        openTelemetry.close();
    }

    private SpanData spanOfARequestBy(String subject, boolean pseudonymous) throws Exception {
        issuer = LocalIssuer.start();
        upstream = new FakeOpenAiUpstream();
        veil = VeilUnderTest.startTraced(VeilUnderTest.config(upstream, """
                  auth:
                    jwt:
                      - {issuer: "%s", audience: veil, jwks-url: "%s", pseudonymous-user: %s}
                """.formatted(issuer.issuer(), issuer.jwksUrl(), pseudonymous)), openTelemetry);
        veil.send(HttpRequest.newBuilder(URI.create(veil.baseUrl() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + issuer.token(subject, Map.of()))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(span -> span.getKind() == SpanKind.SERVER));
        return spans.getFinishedSpanItems().stream().filter(span -> span.getKind() == SpanKind.SERVER).findFirst()
                .orElseThrow();
    }

    @Test
    void theSpanNamesTheUserClaim() throws Exception {
        assertThat(spanOfARequestBy("4af83ded-bbb3", false).getAttributes().get(GenAi.USER))
                .isEqualTo("4af83ded-bbb3");
    }

    @Test
    void aPseudonymousIssuersSpanNamesThePseudonymNeverTheSubject() throws Exception {
        SpanData span = spanOfARequestBy("ana@bank.example", true);

        assertThat(span.getAttributes().get(GenAi.USER)).matches("u-[0-9a-f]{32}");
        assertThat(span.getAttributes().asMap().values()).noneMatch(value -> value.toString()
                .contains("ana@bank.example"));
    }
}
