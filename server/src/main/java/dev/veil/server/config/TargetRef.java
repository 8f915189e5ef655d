package dev.veil.server.config;

import java.util.Collection;

import dev.veil.spi.plugin.Target;

/**
 * A provider model: which configured provider, and the model name it is sent.
 *
 * @param provider the configured provider's name
 * @param model the model name on that provider
 */
public record TargetRef(String provider, String model) {
    /**
     * A provider model written as {@code provider/model}, whose provider must be configured.
     *
     * @param key the config key it is written at, for messages
     * @param providers the configured providers' names
     */
    static TargetRef parse(String key, String text, Collection<String> providers) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new ConfigException(key, "'" + text + "' is not of the form provider/model");
        }
        String provider = text.substring(0, slash);
        if (!providers.contains(provider)) {
            throw new ConfigException(key, "provider '" + provider + "' is not configured; configured providers: "
                    + String.join(", ", providers));
        }
        return new TargetRef(provider, text.substring(slash + 1));
    }

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
