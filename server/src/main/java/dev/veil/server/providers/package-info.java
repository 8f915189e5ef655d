/**
 * The provider stage. Entry point: {@link dev.veil.server.providers.ProviderRegistry}, one
 * {@link dev.veil.server.core.ProviderAdapter} per configured provider (adapters in the sub-packages), sharing one
 * {@link dev.veil.server.http.UpstreamClient}.
 */
package dev.veil.server.providers;
