package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretDetectorTest {
    private static final String PEM_BODY = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu"
            + "\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQ==";

    private final SecretDetector detector = new SecretDetector();

    @ParameterizedTest
    @ValueSource(strings = {"sk-Zx81mQp0Lk2Jr7Tv4Nc9Wd3Hs6Yb5Ga1", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUvWx",
        "sk-ant-api03-Qw9_eR7-tY5uI3oP1aS8dF6gH4jK2lZ0xC9vB7nM5", "AKIAZ7Q2M4N6P8R0T1V3", "ASIAY34FZKBOKMUTVV7A",
        "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", "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxp-9876543210-9876543210-abcdef",
        "xapp-1-A0123456789-1234567890123-abcdef0123456789", "sk_live_51Hx9Lm2Np4Qr6St8Uv",
        "rk_live_51Hx9Lm2Np4Qr6St8Uv", "sk_test_51Hx9Lm2Np4Qr6St8Uv", "pk_live_51Hx9Lm2Np4Qr6St8Uv",
        "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"})
    void findsTokensByTheirIssuersPrefixes(String secret) {
        assertThat(Spans.found(detector, "token=" + secret + ". Thanks")).containsExactly(secret);
    }

    @Test
    void findsAPemPrivateKeyWithRealNewlines() {
        String pem = "-----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY + "\n-----END RSA PRIVATE KEY-----";

        assertThat(Spans.found(detector, "key:\n" + pem + "\nthat's it")).containsExactly(pem);
    }

    @Test
    void findsAPemPrivateKeyWhoseNewlinesAreJsonEscapes() {
        String pem = ("-----BEGIN PRIVATE KEY-----\n" + PEM_BODY + "\n-----END PRIVATE KEY-----").replace("\n", "\\n");

        assertThat(Spans.found(detector, "{\"private_key\":\"" + pem + "\\n\"}")).containsExactly(pem);
    }

    @Test
    void findsTheBodyOfAPemPrivateKeyCutOffBeforeItsEndLine() {
        String text = "-----BEGIN EC PRIVATE KEY-----\n" + PEM_BODY + "\n";

        assertThat(Spans.found(detector, text)).containsExactly(text.strip());
    }

    @Test
    void takesEachOfManyBeginLinesWithoutAnEndLineAsFarAsItsBodyReaches() {
        String header = "-----BEGIN PRIVATE KEY-----\n";

        assertThat(Spans.found(detector, header.repeat(20_000))).hasSize(20_000)
                .allMatch(header.strip()::equals);
    }

    @Test
    void endsABlockAtTheEndLineAfterOtherBeginLines() {
        String header = "-----BEGIN PRIVATE KEY-----";
        String block = header + "\n" + PEM_BODY + "\n-----END PRIVATE KEY-----";

        assertThat(Spans.found(detector, header + "\n" + header + "\n" + block + " and " + block))
                .containsExactly(header, header, block, block);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-learn", "task-Zx81mQp0Lk2Jr7Tv4Nc9Wd3Hs6Yb5Ga1", "sk-this-is-a-long-hyphenated-phrase",
        "AKIAIOSFODNN7EXAMPLE1", "ghp_short", "xoxb-123", "sk_live_", "AIzaTooShort", "eyJhbGciOiJ9",
        "-----BEGIN PUBLIC KEY----- MIIB -----END PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----"})
    void leavesLookAlikesAlone(String text) {
        assertThat(Spans.found(detector, "see " + text + " here")).isEmpty();
    }
}
