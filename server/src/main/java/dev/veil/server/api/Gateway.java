package dev.veil.server.api;

import dev.veil.server.auth.Authenticator;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.dispatch.Dispatcher;
import dev.veil.server.dispatch.ModelResolver;
import dev.veil.server.providers.ProviderRegistry;

/**
 * The request path's collaborators, built once from the config and shared by every endpoint.
 *
 * @param config the validated config
 * @param providers the configured providers
 * @param authenticator checks client keys
 * @param resolver turns model names into candidates
 * @param dispatcher calls candidates with failover
 */
public record Gateway(VeilConfig config, ProviderRegistry providers, Authenticator authenticator,
                      ModelResolver resolver, Dispatcher dispatcher) {

    public static Gateway create(VeilConfig config) {
        ProviderRegistry providers = ProviderRegistry.create(config);
        return new Gateway(config, providers, new Authenticator(config.masterKey()),
                new ModelResolver(config.models(), providers), new Dispatcher(providers));
    }
}
