package dev.veil.server.providers.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** AWS event-stream framing, checked against published encodings of known messages. */
class EventStreamDecoderTest {
    private static final byte[] PAYLOAD = "{\"foo\": \"bar\"}".getBytes(StandardCharsets.UTF_8);

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void encodesAMessageWithoutHeadersExactlyAsPublished() {
        byte[] encoded = EventStreamDecoder.encode(Map.of(), PAYLOAD);

        assertThat(Arrays.copyOfRange(encoded, 0, 12)).isEqualTo(bytes(0, 0, 0, 30, 0, 0, 0, 0, 186, 242, 246, 138));
        assertThat(Arrays.copyOfRange(encoded, 26, 30)).isEqualTo(bytes(174, 114, 88, 228));
    }

    @Test
    void encodesAMessageWithAStringHeaderExactlyAsPublished() {
        byte[] encoded = EventStreamDecoder.encode(Map.of("content-type", "application/json"), PAYLOAD);

        assertThat(Arrays.copyOfRange(encoded, 0, 12)).isEqualTo(bytes(0, 0, 0, 62, 0, 0, 0, 32, 64, 93, 249, 70));
        assertThat(Arrays.copyOfRange(encoded, 58, 62)).isEqualTo(bytes(111, 162, 191, 59));
    }

    @Test
    void decodesMessagesInOrderWithTheirHeadersAndPayloads() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":event-type", "contentBlockDelta");
        headers.put(":message-type", "event");
        byte[] stream = concat(EventStreamDecoder.encode(headers, PAYLOAD),
                EventStreamDecoder.encode(Map.of(":event-type", "messageStop"), "{}".getBytes(StandardCharsets.UTF_8)));
        EventStreamDecoder decoder = new EventStreamDecoder(new ByteArrayInputStream(stream));

        EventStreamDecoder.Message first = decoder.next();
        assertThat(first.header(":event-type")).isEqualTo("contentBlockDelta");
        assertThat(first.header(":message-type")).isEqualTo("event");
        assertThat(first.payload()).isEqualTo(PAYLOAD);
        assertThat(decoder.next().header(":event-type")).isEqualTo("messageStop");
        assertThat(decoder.next()).isNull();
    }

    @Test
    void rejectsACorruptPayload() {
        byte[] encoded = EventStreamDecoder.encode(Map.of(), PAYLOAD);
        encoded[15] ^= 1;

        assertThatThrownBy(() -> new EventStreamDecoder(new ByteArrayInputStream(encoded)).next())
                .isInstanceOf(EventStreamDecoder.MalformedFrameException.class).hasMessageContaining("message checksum");
    }

    @Test
    void rejectsACorruptPrelude() {
        byte[] encoded = EventStreamDecoder.encode(Map.of(), PAYLOAD);
        encoded[3] = 99;

        assertThatThrownBy(() -> new EventStreamDecoder(new ByteArrayInputStream(encoded)).next())
                .isInstanceOf(EventStreamDecoder.MalformedFrameException.class).hasMessageContaining("prelude");
    }

    @Test
    void reportsAStreamCutInsideAMessage() {
        byte[] encoded = EventStreamDecoder.encode(Map.of(), PAYLOAD);

        assertThatThrownBy(() -> new EventStreamDecoder(new ByteArrayInputStream(
                Arrays.copyOf(encoded, encoded.length - 3))).next()).isInstanceOf(EOFException.class);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
