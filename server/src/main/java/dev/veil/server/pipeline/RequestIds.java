package dev.veil.server.pipeline;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 96 random bits, enough that two requests never share one within an audit log's lifetime. */
public final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[28];
        "req_".getChars(0, 4, id, 0);
        long high = random.nextLong();
        int low = random.nextInt();
        for (int i = 0; i < 16; i++) {
            id[4 + i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
        }
        for (int i = 0; i < 8; i++) {
            id[20 + i] = HEX[(low >>> (28 - 4 * i)) & 0xf];
        }
        return new String(id);
    }
}
