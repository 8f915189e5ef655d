package dev.veil.spi.plugin;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.veil.spi.ErrorKind;
import dev.veil.spi.Usage;

/**
 * How an exchange ended. Veil creates these; a plugin's tests build them with {@link #builder}: the canonical
 * constructor gains a parameter whenever a field is added.
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

    /**
     * A builder of an outcome with this status and latency: no error, usage, provider or model, one attempt, not
     * cancelled, until set.
     */
    public static Builder builder(int status, Duration latency) {
        return new Builder(status, latency);
    }

    /** Builds an {@link Outcome}; each method sets the field of the same name. Not thread-safe. */
    public static final class Builder {
        private final int status;
        private final Duration latency;
        private Optional<ErrorKind> error = Optional.empty();
        private Optional<Usage> usage = Optional.empty();
        private Optional<String> provider = Optional.empty();
        private Optional<String> model = Optional.empty();
        private int attempts = 1;
        private boolean clientCancelled;

        private Builder(int status, Duration latency) {
            this.status = status;
            this.latency = latency;
        }

        public Builder error(ErrorKind error) {
            this.error = Optional.of(error);
            return this;
        }

        public Builder usage(Usage usage) {
            this.usage = Optional.of(usage);
            return this;
        }

        public Builder provider(String provider) {
            this.provider = Optional.of(provider);
            return this;
        }

        public Builder model(String model) {
            this.model = Optional.of(model);
            return this;
        }

        public Builder attempts(int attempts) {
            this.attempts = attempts;
            return this;
        }

        public Builder clientCancelled(boolean clientCancelled) {
            this.clientCancelled = clientCancelled;
            return this;
        }

        public Outcome build() {
            return new Outcome(status, error, usage, latency, provider, model, attempts, clientCancelled);
        }
    }
}
