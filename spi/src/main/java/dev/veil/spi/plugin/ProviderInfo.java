package dev.veil.spi.plugin;

import java.util.Objects;
import java.util.Optional;

/**
 * A provider as Veil's config describes it, for plugins that choose between providers: no credentials, no URLs.
 * Veil creates these; a plugin's tests build them with {@link #of}: the canonical constructor gains a parameter
 * whenever a field is added.
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

    /** A provider by name and kind, without a region, not zero-retention. */
    public static ProviderInfo of(String name, String kind) {
        return new ProviderInfo(name, kind, Optional.empty(), false);
    }

    /** A copy in {@code newRegion}. */
    public ProviderInfo withRegion(String newRegion) {
        return new ProviderInfo(name, kind, Optional.of(newRegion), zeroRetention);
    }

    /** A copy configured as retaining nothing, or not. */
    public ProviderInfo withZeroRetention(boolean newZeroRetention) {
        return new ProviderInfo(name, kind, region, newZeroRetention);
    }
}
