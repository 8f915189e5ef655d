package dev.veil.spi.plugin;

import java.util.Objects;

/**
 * The name and type of an exchange attribute. Two keys are the same key when name and type are equal, so plugins
 * that agree on both share the value.
 *
 * <p>Plugins are loaded by separate class loaders: a value meant for other plugins, the policy input, the audit log
 * or telemetry must be of a JDK or SPI type ({@code String}, {@code Boolean}, a type from this API such as
 * {@link PiiFindings}), never of a class from the plugin's own JAR. Prefer a type that says what the value means over
 * a raw {@code Map} or {@code List}: a raw collection's contents are unchecked on both sides.
 *
 * @param name a dotted name owned by the plugin that writes it, such as {@code pii.findings}
 * @param type the value's type
 * @param <T> the value's type
 */
public record AttributeKey<T>(String name, Class<T> type) {
    public AttributeKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    /** The key with this name and type. */
    public static <T> AttributeKey<T> of(String name, Class<T> type) {
        return new AttributeKey<>(name, type);
    }
}
