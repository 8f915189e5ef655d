/**
 * Provider adapters and the upstream HTTP client. Entry point: {@link dev.veil.server.providers.ProviderRegistry}, one
 * {@link dev.veil.server.core.ProviderAdapter} per configured provider, sharing one
 * {@link dev.veil.server.http.UpstreamClient}.
 */
package dev.veil.server.providers;
