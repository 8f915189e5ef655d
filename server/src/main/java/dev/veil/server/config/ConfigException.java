package dev.veil.server.config;

/** A configuration mistake found at startup. The message names the key and says how to fix it. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
    }
}
