package dev.veil.server.providers.openai;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.veil.server.codec.openai.OpenAiDialect;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.ProviderKind;
import dev.veil.server.core.Ticker;
import dev.veil.server.http.UpstreamClient;
import dev.veil.server.http.UpstreamHttp;
import dev.veil.server.http.UpstreamLimits;
import dev.veil.server.providers.setup.ProviderSetup;
import io.helidon.http.Header;

/** Builds the adapter of an {@code openai}, {@code azure-openai} or {@code openai-compatible} provider. */
public final class OpenAiProviders {
    /** The Azure OpenAI GA data-plane version used unless {@code api-version} says otherwise. */
    public static final String DEFAULT_AZURE_API_VERSION = "2024-10-21";
    private static final String OPENAI_BASE_URL = "https://api.openai.com/v1";

    private OpenAiProviders() {
    }

    /**
     * The adapter for {@code config}, keeping listed models as long as {@code ticker} says; a config it cannot work
     * with stops startup with a {@link ConfigException}.
     */
    public static OpenAiAdapter create(ProviderConfig config, UpstreamClient client, UpstreamLimits limits,
                                       Ticker ticker) {
        UpstreamHttp http = new UpstreamHttp(client, config, limits);
        return switch (config.kind()) {
            case OPENAI -> {
                String key = ProviderSetup.apiKey(config, "OPENAI_API_KEY");
                URI base = config.baseUrl().orElse(URI.create(OPENAI_BASE_URL));
                yield new OpenAiAdapter(config.name(), BaseUrlEndpoints.of(base, ProviderSetup.headers(config, bearer(key)),
                        true),
                        OpenAiDialect.OPENAI, http, config.models(), ticker);
            }
            case AZURE_OPENAI -> {
                String key = ProviderSetup.apiKey(config, "AZURE_OPENAI_API_KEY");
                URI base = config.baseUrl().orElseThrow(() -> new ConfigException(config.key("base-url"),
                        "missing; Azure OpenAI needs your resource's endpoint, for example "
                                + "https://my-resource.openai.azure.com"));
                yield new OpenAiAdapter(config.name(), new AzureEndpoints(base,
                        config.apiVersion().orElse(DEFAULT_AZURE_API_VERSION), config.deployments(),
                        ProviderSetup.headers(config, ProviderSetup.credential("api-key", key))),
                        OpenAiDialect.OPENAI, http, config.models(), ticker);
            }
            case OPENAI_COMPATIBLE -> compatible(config, http, ticker);
            case ECHO, ANTHROPIC, GEMINI, BEDROCK -> throw new IllegalArgumentException("not an OpenAI-family provider: " + config.name());
        };
    }

    private static OpenAiAdapter compatible(ProviderConfig config, UpstreamHttp http, Ticker ticker) {
        String presetName = config.preset().orElse(OpenAiPreset.NONE.configName());
        OpenAiPreset preset = OpenAiPreset.fromConfigName(presetName).orElseThrow(() -> new ConfigException(
                config.key("preset"), "unknown preset '" + presetName + "'; use one of " + OpenAiPreset.known()));
        URI base = config.baseUrl().or(() -> preset.defaultBaseUrl().map(URI::create)).orElseThrow(() ->
                new ConfigException(config.key("base-url"), "missing; an openai-compatible provider without a preset "
                        + "needs the server's URL, for example http://127.0.0.1:8000/v1"));
        Optional<Header> credential = preset.requiresKey()
                ? Optional.of(bearer(ProviderSetup.apiKey(config, preset.keyVariable().orElse("API_KEY"))))
                : config.apiKey().map(key -> bearer(key.reveal()));
        List<Header> headers = credential.map(header -> ProviderSetup.headers(config, header))
                .orElseGet(() -> ProviderSetup.headers(config));
        return new OpenAiAdapter(config.name(), BaseUrlEndpoints.of(base, headers, false), preset.dialect(), http,
                config.models(), ticker);
    }

    /** The provider family used for model-name prefixes: the kind, or the preset of a compatible server. */
    public static String family(ProviderConfig config) {
        if (config.kind() == ProviderKind.OPENAI_COMPATIBLE) {
            return config.preset().orElse(OpenAiPreset.NONE.configName());
        }
        return config.kind().configName();
    }

    private static Header bearer(String key) {
        return ProviderSetup.credential("Authorization", "Bearer " + key);
    }

    /**
     * {@code <base>/chat/completions}, {@code <base>/embeddings}, {@code <base>/models}, and {@code <base>/responses}
     * for OpenAI itself: compatible servers implement the Responses API partly or not at all, so a Responses request
     * is translated for them.
     */
    private record BaseUrlEndpoints(URI chatUri, URI embeddingsUri, Optional<URI> models, Optional<URI> responses,
                                    List<Header> headers) implements OpenAiAdapter.OpenAiEndpoints {
        static BaseUrlEndpoints of(URI base, List<Header> headers, boolean responses) {
            return new BaseUrlEndpoints(URI.create(base + "/chat/completions"), URI.create(base + "/embeddings"),
                    Optional.of(URI.create(base + "/models")),
                    responses ? Optional.of(URI.create(base + "/responses")) : Optional.empty(), headers);
        }

        @Override
        public URI chat(String model) {
            return chatUri;
        }

        @Override
        public URI embeddings(String model) {
            return embeddingsUri;
        }
    }

    /**
     * Azure's deployment paths: {@code <base>/openai/deployments/<deployment>/chat/completions?api-version=...}.
     * The deployment is the configured one for the model, or the model name itself.
     */
    private record AzureEndpoints(URI base, String apiVersion, Map<String, String> deployments,
                                  List<Header> headers) implements OpenAiAdapter.OpenAiEndpoints {
        @Override
        public URI chat(String model) {
            return deploymentUri(model, "chat/completions");
        }

        @Override
        public URI embeddings(String model) {
            return deploymentUri(model, "embeddings");
        }

        /** Azure lists base models, not the deployments requests are addressed to; configure {@code models}. */
        @Override
        public Optional<URI> models() {
            return Optional.empty();
        }

        /** Azure serves the Responses API on other paths and API versions; Responses requests are translated. */
        @Override
        public Optional<URI> responses() {
            return Optional.empty();
        }

        private URI deploymentUri(String model, String operation) {
            String deployment = deployments.getOrDefault(model, model);
            return URI.create(base + "/openai/deployments/" + URLEncoder.encode(deployment, StandardCharsets.UTF_8)
                    + "/" + operation + "?api-version=" + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8));
        }
    }
}
