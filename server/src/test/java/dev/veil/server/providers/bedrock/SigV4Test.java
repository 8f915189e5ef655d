package dev.veil.server.providers.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Signatures from AWS's published Signature Version 4 test suite. */
class SigV4Test {
    private static final SigV4 SUITE = new SigV4("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "us-east-1", "service");
    private static final ZonedDateTime AT = ZonedDateTime.of(2015, 8, 30, 12, 36, 0, 0, ZoneOffset.UTC);
    private static final String SCOPE = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=";

    private static Map<String, String> sign(String method, String url) {
        return SUITE.sign(method, URI.create(url), Map.of(), "".getBytes(StandardCharsets.UTF_8), AT);
    }

    @Test
    void signsGetVanilla() {
        Map<String, String> headers = sign("GET", "https://example.amazonaws.com/");

        assertThat(headers.get("x-amz-date")).isEqualTo("20150830T123600Z");
        assertThat(headers.get("Authorization"))
                .isEqualTo(SCOPE + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    @Test
    void signsPostVanilla() {
        assertThat(sign("POST", "https://example.amazonaws.com/").get("Authorization"))
                .isEqualTo(SCOPE + "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    }

    @Test
    void sortsQueryParametersByName() {
        assertThat(sign("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1").get("Authorization"))
                .isEqualTo(SCOPE + "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    }

    @Test
    void encodesAnEncodedPathAgainAsServicesOtherThanS3Require() {
        assertThat(SigV4.canonicalPath("/model/anthropic.claude-v2%3A1/converse"))
                .isEqualTo("/model/anthropic.claude-v2%253A1/converse");
    }

    @Test
    void signsTheHostWithItsPortOnlyWhenItIsNotTheDefault() {
        assertThat(SigV4.host(URI.create("https://bedrock-runtime.us-east-1.amazonaws.com/x")))
                .isEqualTo("bedrock-runtime.us-east-1.amazonaws.com");
        assertThat(SigV4.host(URI.create("http://127.0.0.1:8123/x"))).isEqualTo("127.0.0.1:8123");
    }
}
