/**
 * Provider stage, shared by the adapters in the sibling packages: {@link dev.veil.server.providers.setup.ProviderSetup}
 * reads a provider's config (key, base URL, headers) the same way for each of them when Veil starts.
 */
package dev.veil.server.providers.setup;
