package dev.veil.server.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class BodyBytesTest {
    @Test
    void readsADeclaredBodyWithOneReadOfItsSizeAndAOneByteProbe() throws IOException {
        byte[] body = bytes(600);
        RecordingStream in = new RecordingStream(body, Integer.MAX_VALUE);

        assertThat(BodyBytes.read(in, 600, 1 << 20)).isEqualTo(body);
        assertThat(in.asked).containsExactly(600, 1);
    }

    @Test
    void readsABodyLongerThanDeclaredToItsEnd() throws IOException {
        byte[] body = bytes(5000);

        assertThat(BodyBytes.read(new RecordingStream(body, 700), 600, 1 << 20)).isEqualTo(body);
    }

    @Test
    void returnsWhatArrivedWhenTheStreamEndsBeforeTheDeclaredLength() throws IOException {
        byte[] body = bytes(300);

        assertThat(BodyBytes.read(new RecordingStream(body, 100), 600, 1 << 20)).isEqualTo(body);
    }

    @Test
    void readsAnUndeclaredBodyStartingSmallAndGrowing() throws IOException {
        byte[] body = bytes(100_000);
        RecordingStream in = new RecordingStream(body, 8192);

        assertThat(BodyBytes.read(in, -1, 1 << 20)).isEqualTo(body);
        assertThat(in.asked.getFirst()).isEqualTo(BodyBytes.UNDECLARED_START);
    }

    @Test
    void readsAnEmptyBody() throws IOException {
        assertThat(BodyBytes.read(new RecordingStream(new byte[0], 10), 0, 100)).isEmpty();
        assertThat(BodyBytes.read(new RecordingStream(new byte[0], 10), -1, 100)).isEmpty();
    }

    @Test
    void stopsOneBytePastTheLimitWhateverWasDeclared() throws IOException {
        byte[] body = bytes(10_000);

        assertThat(BodyBytes.read(new RecordingStream(body, 512), -1, 4000)).hasSize(4001);
        assertThat(BodyBytes.read(new RecordingStream(body, 512), 10_000, 4000)).hasSize(4001);
        assertThat(BodyBytes.read(new RecordingStream(body, 512), 100, 4000)).hasSize(4001);
    }

    @Test
    void readsABodyOfExactlyTheLimit() throws IOException {
        byte[] body = bytes(4000);

        assertThat(BodyBytes.read(new RecordingStream(body, 512), -1, 4000)).isEqualTo(body);
        assertThat(BodyBytes.read(new RecordingStream(body, 512), 4000, 4000)).isEqualTo(body);
    }

    private static byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    /** A body arriving at most {@code chunk} bytes per read, recording how much each read asked for. */
    private static final class RecordingStream extends InputStream {
        private final ByteArrayInputStream body;
        private final int chunk;
        final List<Integer> asked = new ArrayList<>();

        RecordingStream(byte[] body, int chunk) {
            this.body = new ByteArrayInputStream(body);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            asked.add(1);
            return body.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            asked.add(len);
            return body.read(b, off, Math.min(len, chunk));
        }
    }
}
