package dev.veil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SseFramesTest {

    @Test
    void stopsAtAFrameWithoutEndBeforeBufferingMoreThanTheBound() {
        SseReaderTest.Endless upstream = new SseReaderTest.Endless("event: x\ndata: ".getBytes(
                StandardCharsets.US_ASCII), (byte) 'x');
        SseFrames frames = new SseFrames(upstream, 64 * 1024);

        assertThatThrownBy(frames::next).isInstanceOf(EventTooLargeException.class)
                .hasMessageContaining("veil.limits.max-upstream-event-bytes");
        assertThat(upstream.served).isLessThanOrEqualTo(64 * 1024 + UpstreamReadSize.MAX);
    }

    @Test
    void passesAFrameOfExactlyTheBoundWhole() throws IOException {
        String frame = "data: " + "x".repeat(1024 - "data: ".length() - 2) + "\n\n";
        SseFrames frames = new SseFrames(new ByteArrayInputStream(frame.getBytes(StandardCharsets.UTF_8)), 1024);

        assertThat(new String(frames.next(), StandardCharsets.UTF_8)).isEqualTo(frame);
        assertThat(frames.next()).isNull();
    }
}
