package dev.veil.server.providers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.TargetRef;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.core.Clocks;
import dev.veil.server.core.ProviderAdapter;
import dev.veil.server.http.UpstreamClient;
import dev.veil.server.http.UpstreamLimits;
import dev.veil.server.http.UpstreamTrust;
import dev.veil.server.providers.anthropic.AnthropicAdapter;
import dev.veil.server.providers.bedrock.BedrockAdapter;
import dev.veil.server.providers.echo.EchoAdapter;
import dev.veil.server.providers.gemini.GeminiAdapter;
import dev.veil.server.providers.openai.OpenAiProviders;
import io.helidon.common.tls.Tls;

/** The adapters of all configured providers, built and validated once at startup. */
public final class ProviderRegistry implements AutoCloseable {
    /**
     * A configured provider with its adapter.
     *
     * @param config its configuration
     * @param family the family its model names belong to (a kind, or a compatible server's preset)
     * @param adapter the adapter that speaks its wire format
     */
    public record Provider(ProviderConfig config, String family, ProviderAdapter adapter) {
    }

    private final Map<String, Provider> providers;
    private final UpstreamClient client;

    private ProviderRegistry(Map<String, Provider> providers, UpstreamClient client) {
        this.providers = Collections.unmodifiableMap(providers);
        this.client = client;
    }

    /** The providers of {@code config}, on the system's clocks. */
    public static ProviderRegistry create(VeilConfig config) {
        return create(config, Clocks.system());
    }

    /** The providers of {@code config}, telling time by {@code clocks}. */
    public static ProviderRegistry create(VeilConfig config, Clocks clocks) {
        UpstreamClient client = config.upstreamCaFile()
                .map(caFile -> UpstreamClient.create(config.connectTimeout(), config.upstreamIdleTimeout(),
                        Tls.builder().sslContext(UpstreamTrust.withCaFile(caFile)).build(), clocks.ticker()))
                .orElseGet(() -> UpstreamClient.create(config.connectTimeout(), config.upstreamIdleTimeout(),
                        clocks.ticker()));
        UpstreamLimits limits = UpstreamLimits.of(config);
        Map<String, Provider> providers = new LinkedHashMap<>();
        for (ProviderConfig provider : config.providers().values()) {
            ProviderAdapter adapter = switch (provider.kind()) {
                case ECHO -> new EchoAdapter(clocks.wall());
                case ANTHROPIC -> AnthropicAdapter.create(provider, client, limits, clocks.wall());
                case GEMINI -> GeminiAdapter.create(provider, client, limits, clocks.wall());
                case BEDROCK -> BedrockAdapter.create(provider, client, limits, clocks.wall());
                case OPENAI, AZURE_OPENAI, OPENAI_COMPATIBLE -> OpenAiProviders.create(provider, client, limits,
                        clocks.ticker());
            };
            providers.put(provider.name(), new Provider(provider, OpenAiProviders.family(provider), adapter));
        }
        return new ProviderRegistry(providers, client);
    }

    /** Whether {@code target}'s provider is configured as retaining nothing ({@code zero-retention: true}). */
    public boolean retainsNothing(TargetRef target) {
        return get(target.provider()).map(provider -> provider.config().zeroRetention()).orElse(false);
    }

    public Optional<Provider> get(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    /** All providers, ordered by name. */
    public Iterable<Provider> all() {
        return providers.values();
    }

    /** Closes the providers' pooled connections. */
    @Override
    public void close() {
        client.close();
    }
}
