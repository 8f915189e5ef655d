package dev.veil.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SseReaderTest {
    private static final String STREAM = ": keep-alive comment\n"
            + "data: {\"text\":\"h\u00e9llo \ud83d\ude00\"}\n\n"
            + "event: error\r\ndata: first line\r\ndata: second line\r\n\r\n"
            + "data:no-space\n\n"
            + "id: 7\nretry: 100\ndata: [DONE]\n\n";
    private static final byte[] BYTES = STREAM.getBytes(StandardCharsets.UTF_8);

    private static final int MAX_EVENT_BYTES = 1 << 20;

    private static List<SseReader.Event> readAll(InputStream in) throws IOException {
        return readAll(in, MAX_EVENT_BYTES);
    }

    private static List<SseReader.Event> readAll(InputStream in, int maxEventBytes) throws IOException {
        SseReader reader = new SseReader(in, maxEventBytes);
        List<SseReader.Event> events = new ArrayList<>();
        for (SseReader.Event event = reader.next(); event != null; event = reader.next()) {
            events.add(event);
        }
        return events;
    }

    private static SseReader.Event event(String name, String data) {
        return new SseReader.Event(name, data.getBytes(StandardCharsets.UTF_8));
    }

    static IntStream everyOffset() {
        return IntStream.range(0, BYTES.length + 1);
    }

    /** Splits the stream in two reads at {@code offset}, including inside multi-byte characters and CRLF pairs. */
    @ParameterizedTest
    @MethodSource("everyOffset")
    void readsTheSameEventsWhereverTheBytesAreSplit(int offset) throws IOException {
        InputStream split = new SequenceInputStream(new ByteArrayInputStream(BYTES, 0, offset),
                new ByteArrayInputStream(BYTES, offset, BYTES.length - offset));

        assertThat(readAll(split)).containsExactly(
                event("message", "{\"text\":\"h\u00e9llo \ud83d\ude00\"}"),
                event("error", "first line\nsecond line"),
                event("message", "no-space"),
                event("message", "[DONE]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"data: last", "data: last\n", "data: last\r"})
    void deliversAFinalEventThatLacksItsBlankLine(String stream) throws IOException {
        assertThat(readAll(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8))))
                .containsExactly(event("message", "last"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 8191, 8192, 8193, 70_000})
    void readsLinesLongerThanItsBuffer(int length) throws IOException {
        String data = "x".repeat(length);

        assertThat(readAll(new ByteArrayInputStream(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8))))
                .containsExactly(event("message", data));
    }

    @Test
    void stopsAtALineWithoutEndBeforeBufferingMoreThanTheBound() {
        Endless upstream = new Endless("data: ".getBytes(StandardCharsets.US_ASCII), (byte) 'x');

        assertThatThrownBy(() -> readAll(upstream, 64 * 1024)).isInstanceOf(EventTooLargeException.class)
                .hasMessageContaining("veil.limits.max-upstream-event-bytes");
        assertThat(upstream.served).isLessThanOrEqualTo(64 * 1024 + UpstreamReadSize.MAX);
    }

    @Test
    void stopsAtAnEventWhoseLinesTogetherExceedTheBound() {
        String line = "data: " + "x".repeat(1000) + "\n";

        assertThatThrownBy(() -> readAll(new ByteArrayInputStream((line.repeat(70) + "\n")
                .getBytes(StandardCharsets.UTF_8)), 64 * 1024)).isInstanceOf(EventTooLargeException.class);
    }

    @Test
    void readsEventsEachWithinTheBoundHoweverManyThereAre() throws IOException {
        String event = "data: " + "x".repeat(1000) + "\n\n";

        assertThat(readAll(new ByteArrayInputStream(event.repeat(200).getBytes(StandardCharsets.UTF_8)), 2048))
                .hasSize(200);
    }

    @Test
    void readsAnEventOfExactlyTheBound() throws IOException {
        String data = "x".repeat(1024 - "data: ".length() - 1);

        assertThat(readAll(new ByteArrayInputStream(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8)),
                1024)).containsExactly(event("message", data));
    }

    @Test
    void asksForLittleWhileEventsAreSmallAndForMoreWhenTheyAreNot() throws IOException {
        List<String> packets = new ArrayList<>();
        String small = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n";
        for (int i = 0; i < 20; i++) {
            packets.add(small);
        }
        packets.add("data: " + "x".repeat(40_000) + "\n\n");
        AskedLengths upstream = new AskedLengths(packets);

        assertThat(readAll(upstream)).hasSize(21);
        assertThat(upstream.asked.subList(0, 20)).allMatch(length -> length <= 1024);
        assertThat(upstream.asked).anyMatch(length -> length >= 8192);
    }

    /** A body that starts with {@code head} and then repeats {@code fill} forever; counts the bytes served. */
    static final class Endless extends InputStream {
        private final byte[] head;
        private final byte fill;
        long served;

        Endless(byte[] head, byte fill) {
            this.head = head;
            this.fill = fill;
        }

        @Override
        public int read() {
            byte next = served < head.length ? head[(int) served] : fill;
            served++;
            return next & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                b[off + i] = served < head.length ? head[(int) served] : fill;
                served++;
            }
            return len;
        }
    }

    /**
     * Hands out one packet at a time, as a socket hands out what has arrived, and records the length each read
     * asked for.
     */
    private static final class AskedLengths extends InputStream {
        private final List<ByteArrayInputStream> packets = new ArrayList<>();
        private final List<Integer> asked = new ArrayList<>();

        AskedLengths(List<String> packets) {
            packets.forEach(packet -> this.packets.add(new ByteArrayInputStream(
                    packet.getBytes(StandardCharsets.UTF_8))));
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            asked.add(len);
            while (!packets.isEmpty() && packets.get(0).available() == 0) {
                packets.remove(0);
            }
            return packets.isEmpty() ? -1 : packets.get(0).read(b, off, len);
        }
    }
}
