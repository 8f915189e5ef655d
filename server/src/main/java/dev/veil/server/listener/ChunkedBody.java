package dev.veil.server.listener;

/**
 * Follows one body in chunked transfer coding (RFC 9112 §7.1) through bytes that arrive in pieces of any size: it
 * finds where the body ends and hands out the chunk data without the framing. Chunk extensions and trailer fields are
 * read past and dropped.
 */
final class ChunkedBody {
    /** Receives chunk data, framing removed. */
    @FunctionalInterface
    interface DataSink {
        void data(byte[] bytes, int offset, int length);
    }

    /** Chunks that together declare more data than a body may carry. */
    static final class TooLarge extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("Chunks declare more data than the body may carry");
        }
    }

    /** A chunk size beyond this is malformed rather than large: no body Veil sends or accepts comes near it. */
    private static final int MAX_SIZE_DIGITS = 15;

    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, FIELD_START, FIELD, FIELD_LF, END_LF, ENDED }

    private final long maxData;
    private State state = State.SIZE;
    private long size;
    private int sizeDigits;
    private long remaining;
    private long declared;

    /** A body of any size. */
    ChunkedBody() {
        this(Long.MAX_VALUE);
    }

    /** A body whose chunks may declare at most {@code maxData} bytes of data; more is {@link TooLarge}. */
    ChunkedBody(long maxData) {
        this.maxData = maxData;
    }

    /**
     * Reads {@code length} bytes from {@code offset}, or fewer if the body ends among them, passing chunk data to
     * {@code sink}.
     *
     * @return how many bytes belonged to this body
     * @throws IllegalArgumentException if the framing is malformed, {@link TooLarge} if the chunks declare too much
     */
    int read(byte[] bytes, int offset, int length, DataSink sink) {
        int index = offset;
        int end = offset + length;
        while (index < end && state != State.ENDED) {
            if (state == State.DATA) {
                int count = (int) Math.min(remaining, end - index);
                sink.data(bytes, index, count);
                index += count;
                remaining -= count;
                if (remaining == 0) {
                    state = State.DATA_CR;
                }
            } else {
                state = next(bytes[index++]);
            }
        }
        return index - offset;
    }

    boolean ended() {
        return state == State.ENDED;
    }

    private State next(byte b) {
        return switch (state) {
            case SIZE -> size(b);
            case EXTENSION -> b == '\r' ? State.SIZE_LF : State.EXTENSION;
            case SIZE_LF -> {
                expect(b, '\n');
                remaining = size;
                declared += size;
                if (declared > maxData) {
                    throw new TooLarge();
                }
                yield size == 0 ? State.FIELD_START : State.DATA;
            }
            case DATA_CR -> expect(b, '\r', State.DATA_LF);
            case DATA_LF -> {
                expect(b, '\n');
                size = 0;
                sizeDigits = 0;
                yield State.SIZE;
            }
            case FIELD_START -> b == '\r' ? State.END_LF : State.FIELD;
            case FIELD -> b == '\r' ? State.FIELD_LF : State.FIELD;
            case FIELD_LF -> expect(b, '\n', State.FIELD_START);
            case END_LF -> expect(b, '\n', State.ENDED);
            case DATA, ENDED -> throw new IllegalStateException("No framing byte is read in state " + state);
        };
    }

    private State size(byte b) {
        int digit = Character.digit(b, 16);
        if (digit >= 0) {
            if (++sizeDigits > MAX_SIZE_DIGITS) {
                throw new IllegalArgumentException("Chunk size has too many digits");
            }
            size = size * 16 + digit;
            return State.SIZE;
        }
        if (sizeDigits == 0) {
            throw new IllegalArgumentException("Chunk size is missing");
        }
        return switch (b) {
            case '\r' -> State.SIZE_LF;
            case ';', ' ', '\t' -> State.EXTENSION;
            default -> throw new IllegalArgumentException("Chunk size is not hexadecimal");
        };
    }

    private static State expect(byte b, char expected, State next) {
        expect(b, expected);
        return next;
    }

    private static void expect(byte b, char expected) {
        if (b != expected) {
            throw new IllegalArgumentException("Chunk framing lacks a " + (expected == '\r' ? "CR" : "LF"));
        }
    }
}
