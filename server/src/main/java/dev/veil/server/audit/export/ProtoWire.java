package dev.veil.server.audit.export;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The protobuf wire format, as much of it as OTLP's logs need: a writer of the field kinds the export sends and a
 * reader of the answers' few fields. Hand-written because the messages are small and fixed, and the protobuf runtime
 * and OTLP's generated classes are test dependencies only (the tests decode with them).
 */
final class ProtoWire {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    private ProtoWire() {
    }

    /** Appends fields to one message. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer varint(int field, long value) {
            tag(field, VARINT);
            raw(value);
            return this;
        }

        Writer fixed64(int field, long value) {
            tag(field, FIXED64);
            for (int i = 0; i < 8; i++) {
                out.write((int) (value >>> (8 * i)));
            }
            return this;
        }

        Writer string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        /** A length-delimited field: bytes, or an embedded message already written. */
        Writer bytes(int field, byte[] value) {
            tag(field, LEN);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        Writer message(int field, Writer message) {
            return bytes(field, message.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            raw((long) field << 3 | wireType);
        }

        private void raw(long value) {
            long rest = value;
            while ((rest & ~0x7FL) != 0) {
                out.write((int) (rest & 0x7F) | 0x80);
                rest >>>= 7;
            }
            out.write((int) rest);
        }
    }

    /** Walks the fields of one message. Malformed input throws {@link IllegalArgumentException}. */
    static final class Reader {
        private final byte[] in;
        private int at;
        private int field;
        private int wireType;

        Reader(byte[] in) {
            this.in = in;
        }

        /** Moves to the next field; false at the end of the message. */
        boolean next() {
            if (at >= in.length) {
                return false;
            }
            long tag = raw();
            field = (int) (tag >>> 3);
            wireType = (int) (tag & 7);
            if (field < 1) {
                throw new IllegalArgumentException("field number 0");
            }
            return true;
        }

        int field() {
            return field;
        }

        int wireType() {
            return wireType;
        }

        long varint() {
            expect(VARINT);
            return raw();
        }

        byte[] bytes() {
            expect(LEN);
            long length = raw();
            if (length < 0 || length > in.length - at) {
                throw new IllegalArgumentException("a length beyond the message");
            }
            byte[] value = java.util.Arrays.copyOfRange(in, at, at + (int) length);
            at += (int) length;
            return value;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        /** Passes over the current field's value. */
        void skip() {
            switch (wireType) {
                case VARINT -> raw();
                case FIXED64 -> advance(8);
                case LEN -> bytes();
                case FIXED32 -> advance(4);
                default -> throw new IllegalArgumentException("wire type " + wireType);
            }
        }

        private void expect(int type) {
            if (wireType != type) {
                throw new IllegalArgumentException("field " + field + " has wire type " + wireType);
            }
        }

        private void advance(int bytes) {
            if (bytes > in.length - at) {
                throw new IllegalArgumentException("a value beyond the message");
            }
            at += bytes;
        }

        private long raw() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= in.length) {
                    throw new IllegalArgumentException("a varint beyond the message");
                }
                int b = in[at++];
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("a varint longer than 10 bytes");
        }
    }
}
