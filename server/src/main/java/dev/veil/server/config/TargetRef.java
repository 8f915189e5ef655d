package dev.veil.server.config;

import dev.veil.spi.plugin.Target;

/**
 * A provider model: which configured provider, and the model name it is sent.
 *
 * @param provider the configured provider's name
 * @param model the model name on that provider
 */
public record TargetRef(String provider, String model) {
    /** The same provider model as the plugin API names it. */
    public static TargetRef of(Target target) {
        return new TargetRef(target.provider(), target.model());
    }

    /** This provider model as the plugin API names it. */
    public Target toTarget() {
        return new Target(provider, model);
    }

    @Override
    public String toString() {
        return provider + "/" + model;
    }
}
