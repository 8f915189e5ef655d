package dev.veil.plugins.routing;

import java.nio.file.Path;
import java.util.List;

import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.ProviderInfo;

/** A plugin context with a given provider catalogue. */
record TestContext(List<ProviderInfo> providers) implements PluginContext {
    static final TestContext NO_PROVIDERS = new TestContext(List.of());
    static final TestContext PROVIDERS = new TestContext(List.of(
            ProviderInfo.of("openai", "openai").withRegion("us"),
            ProviderInfo.of("deepseek", "openai-compatible"),
            ProviderInfo.of("anthropic", "anthropic").withRegion("eu").withZeroRetention(true)));

    @Override
    public String name() {
        return "routing";
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("dev.veil.plugin.routing");
    }

    @Override
    public Path dataDir() {
        throw new UnsupportedOperationException("the routing plugin keeps no files");
    }
}
