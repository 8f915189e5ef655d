package dev.veil.spi.plugin;

import java.util.Objects;

/**
 * A provider model a request may be sent to. Build one with {@link #of} or {@link #parse}: the canonical constructor
 * gains a parameter whenever a field is added.
 *
 * @param provider the name of a provider in Veil's config ({@code veil.providers})
 * @param model the model name that provider is sent
 */
public record Target(String provider, String model) {
    public Target {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
    }

    /** The model {@code model} of the provider named {@code provider} in config. */
    public static Target of(String provider, String model) {
        return new Target(provider, model);
    }

    /**
     * Parses {@code provider/model}, split at the first slash (model names may hold slashes).
     *
     * @throws IllegalArgumentException when there is no provider or no model
     */
    public static Target parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not provider/model");
        }
        return new Target(text.substring(0, slash), text.substring(slash + 1));
    }

    /** {@code provider/model}, as config and headers write it. */
    @Override
    public String toString() {
        return provider + "/" + model;
    }
}
