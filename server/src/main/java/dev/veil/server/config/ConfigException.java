package dev.veil.server.config;

/** A configuration mistake found at startup. The message names the key and says how to fix it. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
    }

    /** A mistake whose message already names the key, such as a plugin's own settings check. */
    public static ConfigException described(String message) {
        return new ConfigException(message);
    }

    private ConfigException(String message) {
        super(message);
    }
}
