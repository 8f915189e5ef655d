package dev.veil.plugins.routing;

import java.util.concurrent.ThreadLocalRandom;

import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginFactory;
import dev.veil.spi.plugin.PluginSettings;

/**
 * Creates the {@code routing} plugin, which decides which provider models a request goes to and in which order, and
 * keeps failing targets out. With no settings it keeps Veil's own resolution of each model, in config order, with
 * circuit breakers, one retry round and a 60 s deadline. Settings:
 * <ul>
 *   <li>{@code strategy}: for models without a route of their own — {@code ordered}, {@code weighted},
 *       {@code least-latency} or {@code lowest-cost};</li>
 *   <li>{@code retries}, {@code backoff}, {@code deadline}: rounds after all targets failed, the base of the
 *       jittered exponential wait between them, and the per-request limit;</li>
 *   <li>{@code breaker}: {@code {failures, window, cooldown}}; {@code failures: 0} turns it off;</li>
 *   <li>{@code prices}: {@code provider/model: {input, output}} per million tokens, for {@code lowest-cost};</li>
 *   <li>{@code routes}: model name → {@code {strategy, sticky, targets: [{target, weight}], context-fallbacks,
 *       retries, backoff, deadline}}.</li>
 * </ul>
 * Targets must name configured providers. See docs/plugins.md for the semantics.
 */
public final class RoutingFactory implements PluginFactory {
    @Override
    public String name() {
        return "routing";
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public int spiMinorVersion() {
        return SPI_MINOR_VERSION;
    }

    @Override
    public Plugin create(PluginSettings settings, PluginContext context) {
        RoutingSettings parsed = RoutingSettings.parse(settings, context.providers());
        RoutingPlugin plugin = new RoutingPlugin(parsed, context.logger(), context.nanoTime(),
                ThreadLocalRandom::current);
        context.gauge("veil.routing.breaker.state", "Circuit breaker state per target: 0 closed, 1 half-open, 2 open",
                plugin::breakerStates);
        return plugin;
    }
}
