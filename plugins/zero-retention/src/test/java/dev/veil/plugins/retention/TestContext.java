package dev.veil.plugins.retention;

import java.nio.file.Path;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.ProviderInfo;

/** A plugin context with a given provider catalogue, whose logger keeps what was logged. */
final class TestContext implements PluginContext {
    private final List<ProviderInfo> providers;
    private final List<String> logged = new CopyOnWriteArrayList<>();

    TestContext(List<ProviderInfo> providers) {
        this.providers = List.copyOf(providers);
    }

    List<String> logged() {
        return logged;
    }

    @Override
    public String name() {
        return "zero-retention";
    }

    @Override
    public List<ProviderInfo> providers() {
        return providers;
    }

    @Override
    public Path dataDir() {
        throw new UnsupportedOperationException("the zero-retention plugin keeps no files");
    }

    @Override
    public System.Logger logger() {
        return new System.Logger() {
            @Override
            public String getName() {
                return "dev.veil.plugin.zero-retention";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, Supplier<String> message) {
                logged.add(level + " " + message.get());
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
                logged.add(level + " " + message);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                logged.add(level + " " + format);
            }
        };
    }
}
