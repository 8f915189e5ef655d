package dev.veil.server.config;

/**
 * A provider model: which configured provider, and the model name it is sent.
 *
 * @param provider the configured provider's name
 * @param model the model name on that provider
 */
public record TargetRef(String provider, String model) {
    @Override
    public String toString() {
        return provider + "/" + model;
    }
}
