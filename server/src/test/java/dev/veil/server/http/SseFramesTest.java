package dev.veil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

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

    @Test
    void cutsTheBodyIntoItsFramesWhateverTheReadsAre() throws IOException {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<String> sent = randomFrames(random);
            byte[] body = String.join("", sent).getBytes(StandardCharsets.UTF_8);
            SseFrames frames = new SseFrames(new Trickle(body, 1 + random.nextInt(40)), 64 * 1024);

            List<String> cut = new ArrayList<>();
            for (byte[] frame = frames.next(); frame != null; frame = frames.next()) {
                cut.add(new String(frame, StandardCharsets.UTF_8));
            }

            assertThat(cut).as("round %d", round).isEqualTo(sent);
        }
    }

    @Test
    void readsEachFrameAsTheEventReaderReadsIt() throws IOException {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            for (String frame : randomFrames(random)) {
                byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
                SseReader.Event read = new SseReader(new ByteArrayInputStream(bytes), bytes.length).next();

                assertThat(SseFrames.parse(bytes)).as("%s", frame).isEqualTo(Optional.ofNullable(read));
            }
        }
    }

    /** Frames as upstreams send them: data lines (one or several), names, comments, LF or CRLF endings. */
    private static List<String> randomFrames(Random random) {
        List<String> frames = new ArrayList<>();
        for (int i = random.nextInt(6); i >= 0; i--) {
            String end = random.nextBoolean() ? "\n" : "\r\n";
            StringBuilder frame = new StringBuilder();
            if (random.nextInt(4) == 0) {
                frame.append(": keep-alive").append(end);
            }
            if (random.nextBoolean()) {
                frame.append("event: e").append(random.nextInt(3)).append(end);
            }
            for (int line = random.nextInt(3); line >= 0 && random.nextInt(5) > 0; line--) {
                frame.append(random.nextBoolean() ? "data: " : "data:").append("{\"n\":").append(random.nextInt())
                        .append(",\"t\":\"\u00e9:\"}").append(end);
            }
            if (frame.isEmpty()) {
                // A blank line with nothing before it ends no frame: it belongs to the next.
                frame.append(":").append(end);
            }
            frames.add(frame.append(end).toString());
        }
        return frames;
    }

    /** A body served a few bytes per read, so frames straddle reads. */
    private static final class Trickle extends InputStream {
        private final byte[] body;
        private final int step;
        private int at;

        Trickle(byte[] body, int step) {
            this.body = body;
            this.step = step;
        }

        @Override
        public int read() {
            return at < body.length ? body[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (at == body.length) {
                return -1;
            }
            int n = Math.min(Math.min(length, step), body.length - at);
            System.arraycopy(body, at, into, offset, n);
            at += n;
            return n;
        }
    }
}
