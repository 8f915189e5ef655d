package dev.veil.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/** A credential that never prints itself, so it cannot slip into a log line or an error message. */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The credential itself, for the one place that sends it. */
    public String reveal() {
        return value;
    }

    /** Compares in time independent of where the first difference is. */
    public boolean matches(String candidate) {
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** Equal to a secret with the same value, compared as {@link #matches} does; a reload compares configs so. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && matches(secret.value);
    }

    /** The same for every secret: a hash of the value would tell something about it. */
    @Override
    public int hashCode() {
        return 0;
    }

    @Override
    public String toString() {
        return "****";
    }
}
