package dev.veil.plugins.retention;

import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginFactory;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.ProviderInfo;

/**
 * Creates the {@code zero-retention} plugin, which lets operators require zero retention instead of trusting each
 * client to ask for it. Settings (at least one trigger):
 * <ul>
 *   <li>{@code tenants}: tenants whose every request is zero-retention;</li>
 *   <li>{@code labels}: key label names and the values that make a key's requests zero-retention
 *       ({@code {regulated: "true"}}, or a list of values);</li>
 *   <li>{@code data-classes}: {@code x-veil-metadata} {@code data_class} values that require it (any case);</li>
 *   <li>{@code all}: {@code true} makes every request zero-retention, and excludes the others.</li>
 * </ul>
 * At startup it warns when no configured provider is {@code zero-retention: true}: every request it marks would be
 * refused.
 */
public final class ZeroRetentionFactory implements PluginFactory {
    @Override
    public String name() {
        return "zero-retention";
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public int spiMinorVersion() {
        return SPI_MINOR_VERSION;
    }

    @Override
    public Plugin create(PluginSettings settings, PluginContext context) {
        RetentionSettings retention = RetentionSettings.from(settings);
        if (context.providers().stream().noneMatch(ProviderInfo::zeroRetention)) {
            context.logger().log(System.Logger.Level.WARNING, () -> settings.path() + ": no provider in "
                    + "veil.providers is zero-retention: true, so every request zero retention applies to will be "
                    + "refused (403 zero_retention_unavailable); mark the providers that retain nothing");
        }
        return new ZeroRetentionPlugin(retention);
    }
}
