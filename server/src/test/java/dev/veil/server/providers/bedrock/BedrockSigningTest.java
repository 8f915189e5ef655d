package dev.veil.server.providers.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.ProviderKind;
import dev.veil.server.config.Secret;
import dev.veil.server.http.UpstreamClient;
import dev.veil.server.http.UpstreamLimits;
import io.helidon.http.Header;
import org.junit.jupiter.api.Test;

/**
 * What the adapter signs against AWS's real endpoint, which no loopback fake can listen on: the default base URL,
 * and a {@code Host} header without the default port, exactly as signed.
 */
class BedrockSigningTest {
    private static final String SESSION_TOKEN = "session-token-value";

    private static BedrockAdapter adapter() {
        ProviderConfig config = new ProviderConfig("aws", ProviderKind.BEDROCK, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("eu-central-1"), false, List.of(), Map.of(), Optional.empty(), Map.of(),
                Duration.ofSeconds(5), Optional.empty(), Optional.empty(), Optional.of(new Secret("AKIDEXAMPLE")),
                Optional.of(new Secret("secret")), Optional.of(new Secret(SESSION_TOKEN)));
        return BedrockAdapter.create(config, UpstreamClient.create(Duration.ofSeconds(1), Duration.ofSeconds(30)),
                new UpstreamLimits(1024, 1024), InstantSource.fixed(Instant.parse("2026-01-15T10:00:00Z")));
    }

    private static Optional<Header> header(List<Header> headers, String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).findFirst();
    }

    @Test
    void defaultsToTheRegionsRuntimeEndpoint() {
        URI uri = adapter().uri("anthropic.claude-3-5-sonnet-20240620-v1:0", "converse-stream");

        assertThat(uri.toString()).isEqualTo("https://bedrock-runtime.eu-central-1.amazonaws.com/model/"
                + "anthropic.claude-3-5-sonnet-20240620-v1:0/converse-stream");
    }

    @Test
    void sendsTheHostItSignedWithoutTheDefaultPort() {
        BedrockAdapter adapter = adapter();
        List<Header> headers = adapter.signed(adapter.uri("m", "converse"),
                "{}".getBytes(StandardCharsets.UTF_8), false);

        assertThat(header(headers, "host")).map(Header::get).hasValue("bedrock-runtime.eu-central-1.amazonaws.com");
        assertThat(header(headers, "authorization")).map(Header::get).hasValueSatisfying(auth -> assertThat(auth)
                .contains("/eu-central-1/bedrock/aws4_request")
                .contains("SignedHeaders=host;x-amz-date;x-amz-security-token"));
    }

    @Test
    void marksTheSignatureAndSessionTokenSensitive() {
        BedrockAdapter adapter = adapter();
        List<Header> headers = adapter.signed(adapter.uri("m", "converse"), new byte[0], true);

        assertThat(header(headers, "authorization")).hasValueSatisfying(h -> assertThat(h.sensitive()).isTrue());
        assertThat(header(headers, "x-amz-security-token")).hasValueSatisfying(h -> {
            assertThat(h.sensitive()).isTrue();
            assertThat(h.get()).isEqualTo(SESSION_TOKEN);
        });
        assertThat(header(headers, "accept")).map(Header::get).hasValue("application/vnd.amazon.eventstream");
    }
}
