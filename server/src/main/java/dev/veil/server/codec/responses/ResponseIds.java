package dev.veil.server.codec.responses;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Ids in OpenAI's shape: a prefix and 48 lowercase hex digits. Response ids are looked up across tenants' requests, so
 * they come from a {@link SecureRandom}: an id must not be guessable from another one.
 */
public final class ResponseIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private ResponseIds() {
    }

    /** A new response id, {@code resp_…}. */
    public static String response() {
        return item("resp_");
    }

    /** A new id with this prefix: {@code msg_}, {@code fc_}, {@code rs_}. */
    public static String item(String prefix) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return prefix + HEX.formatHex(bytes);
    }
}
