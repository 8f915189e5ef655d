package dev.veil.server.http;

/**
 * How many bytes to ask an upstream body for on the next read. Helidon's web client allocates a fresh array of the
 * size asked for on every read, whatever then arrives, and a streamed event is a few hundred bytes: asking for 8 KiB
 * allocated and zeroed 8 KiB per event (about a gigabyte in a short streaming benchmark). It starts at 1 KiB, doubles
 * while reads fill what was asked (a large answer arriving), and halves again when they come back mostly empty.
 */
final class UpstreamReadSize {
    static final int MIN = 1024;
    static final int MAX = 8192;

    private int size = MIN;

    int next() {
        return size;
    }

    void observed(int read) {
        if (read >= size && size < MAX) {
            size *= 2;
        } else if (read < size / 4 && size > MIN) {
            size /= 2;
        }
    }
}
