package dev.veil.server.reload;

import java.util.Objects;

/**
 * How one reload ended.
 *
 * @param outcome whether the new config runs
 * @param revision the running config's revision afterwards: the new one when it succeeded, else the old one
 * @param message what the log says about it; for a failure, the key and what is wrong with it
 */
public record ReloadResult(Outcome outcome, String revision, String message) {
    public ReloadResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(message, "message");
    }

    /** Whether the new config runs, and if not, why not. */
    public enum Outcome {
        /** The new config runs for every request that starts from now on. */
        SUCCEEDED,
        /** The new config is invalid (or could not be read); the running one stays. */
        FAILED,
        /** The new config changes a key that takes effect only at startup; the running one stays. */
        REFUSED
    }
}
