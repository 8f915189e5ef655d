package dev.veil.server.providers.bedrock;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Reads AWS event-stream messages ({@code application/vnd.amazon.eventstream}), the binary framing of Bedrock's
 * streaming answers: a prelude (total length, headers length, CRC32 of both), typed headers, the payload, and a CRC32
 * of everything before it. Both checksums are verified: a corrupt frame is an error, never a guess.
 */
public final class EventStreamDecoder {
    /** Far above any Bedrock event; bounds what a corrupt length could make Veil allocate. */
    private static final int MAX_MESSAGE = 16 * 1024 * 1024;

    /**
     * One message.
     *
     * @param headers its headers with string values ({@code :event-type}, {@code :message-type}, ...)
     * @param payload its payload
     */
    public record Message(Map<String, String> headers, byte[] payload) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** A frame that is not valid event-stream framing. */
    public static final class MalformedFrameException extends IOException {
        private static final long serialVersionUID = 1L;

        public MalformedFrameException(String message) {
            super(message);
        }
    }

    private final InputStream in;

    public EventStreamDecoder(InputStream in) {
        this.in = in;
    }

    /** The next message, or {@code null} when the body ended cleanly between messages. */
    public Message next() throws IOException {
        byte[] prelude = new byte[12];
        int read = in.readNBytes(prelude, 0, 12);
        if (read == 0) {
            return null;
        }
        if (read < 12) {
            throw new EOFException("the event stream ended inside a message");
        }
        ByteBuffer head = ByteBuffer.wrap(prelude);
        int total = head.getInt();
        int headersLength = head.getInt();
        int preludeCrc = head.getInt();
        if (crc(prelude, 0, 8) != preludeCrc) {
            throw new MalformedFrameException("event stream prelude checksum mismatch");
        }
        if (total < 16 || total > MAX_MESSAGE || headersLength < 0 || headersLength > total - 16) {
            throw new MalformedFrameException("event stream message length out of range");
        }
        byte[] message = Arrays.copyOf(prelude, total);
        if (in.readNBytes(message, 12, total - 12) < total - 12) {
            throw new EOFException("the event stream ended inside a message");
        }
        int messageCrc = ByteBuffer.wrap(message, total - 4, 4).getInt();
        if (crc(message, 0, total - 4) != messageCrc) {
            throw new MalformedFrameException("event stream message checksum mismatch");
        }
        Map<String, String> headers = headers(ByteBuffer.wrap(message, 12, headersLength).slice());
        byte[] payload = Arrays.copyOfRange(message, 12 + headersLength, total - 4);
        return new Message(headers, payload);
    }

    private static Map<String, String> headers(ByteBuffer buffer) throws MalformedFrameException {
        Map<String, String> headers = new LinkedHashMap<>();
        try {
            while (buffer.hasRemaining()) {
                byte[] name = new byte[buffer.get() & 0xff];
                buffer.get(name);
                int type = buffer.get();
                String value = switch (type) {
                    case 0 -> "true";
                    case 1 -> "false";
                    case 2 -> Byte.toString(buffer.get());
                    case 3 -> Short.toString(buffer.getShort());
                    case 4 -> Integer.toString(buffer.getInt());
                    case 5, 8 -> Long.toString(buffer.getLong());
                    case 6, 7 -> {
                        byte[] bytes = new byte[buffer.getShort() & 0xffff];
                        buffer.get(bytes);
                        yield type == 7 ? new String(bytes, StandardCharsets.UTF_8) : "";
                    }
                    case 9 -> {
                        buffer.position(buffer.position() + 16);
                        yield "";
                    }
                    default -> throw new MalformedFrameException("unknown event stream header type " + type);
                };
                headers.put(new String(name, StandardCharsets.UTF_8), value);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new MalformedFrameException("event stream headers overrun their length");
        }
        return headers;
    }

    static int crc(byte[] data, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    /** Encodes a message with string headers: what Bedrock sends, for fakes and tests. */
    public static byte[] encode(Map<String, String> headers, byte[] payload) {
        java.io.ByteArrayOutputStream encoded = new java.io.ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            encoded.write(n.length);
            encoded.writeBytes(n);
            encoded.write(7);
            encoded.write((v.length >> 8) & 0xff);
            encoded.write(v.length & 0xff);
            encoded.writeBytes(v);
        });
        byte[] headerBytes = encoded.toByteArray();
        int total = 16 + headerBytes.length + payload.length;
        ByteBuffer message = ByteBuffer.allocate(total);
        message.putInt(total).putInt(headerBytes.length);
        message.putInt(crc(message.array(), 0, 8));
        message.put(headerBytes).put(payload);
        message.putInt(crc(message.array(), 0, total - 4));
        return message.array();
    }
}
