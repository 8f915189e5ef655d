package dev.veil.spi.plugin;

import java.util.Objects;
import java.util.Optional;

/**
 * A provider as Veil's config describes it, for plugins that choose between providers: no credentials, no URLs.
 *
 * @param name the provider's name in config, as {@link Target#provider()} refers to it
 * @param kind its kind ({@code openai}, {@code anthropic}, {@code openai-compatible}, ...)
 * @param region its region, when configured ({@code eu}, {@code us}, ...)
 * @param zeroRetention whether it is configured as retaining nothing ({@code zero-retention: true})
 */
public record ProviderInfo(String name, String kind, Optional<String> region, boolean zeroRetention) {
    public ProviderInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(region, "region");
    }
}
