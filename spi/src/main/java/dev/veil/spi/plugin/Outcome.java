package dev.veil.spi.plugin;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.veil.spi.ErrorKind;
import dev.veil.spi.Usage;

/**
 * How an exchange ended.
 *
 * @param status the HTTP status the client got (200 for a stream that started, whatever happened later)
 * @param error the failure, when the exchange failed (also for a stream that failed after it started)
 * @param usage token usage, when the provider reported it (for streams, also when the client left early)
 * @param latency from the request's arrival to the end of the answer
 * @param provider the configured provider that answered, if any did
 * @param model the provider model that answered, if any did
 * @param attempts how many candidates were tried
 * @param clientCancelled whether the client went away before the answer was complete
 */
public record Outcome(
        int status,
        Optional<ErrorKind> error,
        Optional<Usage> usage,
        Duration latency,
        Optional<String> provider,
        Optional<String> model,
        int attempts,
        boolean clientCancelled) {

    public Outcome {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
    }

    /** Whether the client got a complete answer. */
    public boolean succeeded() {
        return error.isEmpty() && !clientCancelled;
    }
}
