/**
 * The types every stage of the request flow shares and no stage owns: the
 * {@link dev.veil.server.core.ServerExchange} a request carries through the pipeline, the
 * {@link dev.veil.server.core.ChatStream} an answer arrives as, the {@link dev.veil.server.core.ProviderAdapter}
 * contract each provider implements, and the {@link dev.veil.server.core.UpstreamException} a failed call raises.
 * Depends on nothing in Veil but {@code codec}.
 */
package dev.veil.server.core;
