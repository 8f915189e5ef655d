package dev.veil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/** The container image's health check: healthy when liveness answers 200, not when nothing listens. */
class HealthCheckTest {
    @Test
    void passesAgainstALiveVeil() throws Exception {
        try (FakeOpenAiUpstream upstream = new FakeOpenAiUpstream();
             VeilUnderTest veil = VeilUnderTest.withUpstream(upstream)) {
            assertThat(HealthCheck.healthy(veil.baseUrl() + "/health/live")).isTrue();
            assertThat(HealthCheck.healthy(veil.baseUrl() + "/health/nothing")).isFalse();
        }
    }

    @Test
    void failsWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertThat(HealthCheck.healthy("http://127.0.0.1:" + port + "/health/live")).isFalse();
    }
}
