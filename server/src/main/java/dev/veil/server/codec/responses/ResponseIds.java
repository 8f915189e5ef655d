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
    private static final int MAX_LENGTH = 128;

    private ResponseIds() {
    }

    /** A new response id, {@code resp_…}. */
    public static String response() {
        return item("resp_");
    }

    /**
     * Whether {@code id} can be one of Veil's or OpenAI's response or item ids: letters, digits, {@code _} and
     * {@code -}, at most 128 of them. Anything else is refused before a lookup, so an error that names an id never
     * quotes whatever else a client wrote there.
     */
    public static boolean valid(String id) {
        return !id.isEmpty() && id.length() <= MAX_LENGTH && id.chars().allMatch(c -> c == '_' || c == '-'
                || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    }

    /** A new id with this prefix: {@code msg_}, {@code fc_}, {@code rs_}. */
    public static String item(String prefix) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return prefix + HEX.formatHex(bytes);
    }
}
