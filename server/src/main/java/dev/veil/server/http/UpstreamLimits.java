package dev.veil.server.http;

import dev.veil.server.config.VeilConfig;

/**
 * How much of a provider's answer Veil holds in memory at once.
 *
 * @param maxResponseBytes the largest answer read whole ({@code veil.limits.max-upstream-response-bytes})
 * @param maxEventBytes the largest event, or line, of a streamed answer ({@code veil.limits.max-upstream-event-bytes})
 */
public record UpstreamLimits(long maxResponseBytes, int maxEventBytes) {

    public static UpstreamLimits of(VeilConfig config) {
        return new UpstreamLimits(config.maxUpstreamResponseBytes(), config.maxUpstreamEventBytes());
    }
}
