package dev.veil.spi.plugin;

/**
 * Invalid plugin settings. Thrown from {@link PluginFactory#create}; Veil stops starting and shows the message, which
 * should name the setting and how to fix it. Create it with {@link PluginSettings#invalid}.
 */
public final class PluginConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PluginConfigException(String message) {
        super(message);
    }
}
