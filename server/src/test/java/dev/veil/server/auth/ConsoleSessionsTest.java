package dev.veil.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;

import dev.veil.server.config.Secret;
import dev.veil.server.testing.FakeClock;
import org.junit.jupiter.api.Test;

/** A console session is the credential sealed under the master key, valid for its lifetime and no longer. */
class ConsoleSessionsTest {
    private final FakeClock clock = new FakeClock();
    private final ConsoleSessions sessions = new ConsoleSessions(new Secret("the-master-key"), clock);

    @Test
    void aSealedSessionOpensToItsCredential() {
        assertThat(sessions.open(sessions.seal("vk-0123"))).hasValue("vk-0123");
    }

    @Test
    void theCookieDoesNotShowTheCredential() {
        String cookie = sessions.seal("the-master-key");

        assertThat(new String(Base64.getUrlDecoder().decode(cookie), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("the-master-key");
    }

    @Test
    void aSessionEndsAfterItsLifetime() {
        String cookie = sessions.seal("vk-0123");

        clock.advance(ConsoleSessions.LIFETIME.minusSeconds(1));
        assertThat(sessions.open(cookie)).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(sessions.open(cookie)).isEmpty();
    }

    @Test
    void anAlteredCookieOpensToNothing() {
        char[] cookie = sessions.seal("vk-0123").toCharArray();
        cookie[20] = cookie[20] == 'A' ? 'B' : 'A';

        assertThat(sessions.open(new String(cookie))).isEmpty();
        assertThat(sessions.open("not base64 !")).isEmpty();
        assertThat(sessions.open("")).isEmpty();
    }

    @Test
    void anotherMasterKeysSessionOpensToNothing() {
        String cookie = new ConsoleSessions(new Secret("another-master-key"), clock).seal("vk-0123");

        assertThat(sessions.open(cookie)).isEmpty();
    }
}
