package dev.veil.plugins.routing;

import java.util.Locale;
import java.util.Optional;

/** What keeps a caller on the same first target of a weighted route, so that provider-side prompt caches stay warm. */
enum Sticky {
    /** A fresh random draw per request. */
    NONE,
    /** The caller's key id. */
    KEY,
    /** The request's {@code user} field; the key id when the client sent none. */
    USER;

    static Optional<Sticky> parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> Optional.of(NONE);
            case "key" -> Optional.of(KEY);
            case "user" -> Optional.of(USER);
            default -> Optional.empty();
        };
    }
}
