package dev.veil.plugins.pii;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginSettings;

/** Creates the plugin, for a test that runs this class in a class loader of its own and looks at what it loaded. */
public final class IsolatedStart {
    private IsolatedStart() {
    }

    /** Creates and closes the plugin with {@code settings} and a fixed hash key. */
    public static void start(Map<String, Object> settings, Path dataDir) throws Exception {
        Map<String, Object> values = new HashMap<>(settings);
        values.put("hash-key", "0123456789abcdef");
        new PiiRedactionFactory().create(new PluginSettings("veil.plugins[0]", values), new PluginContext() {
            @Override
            public String name() {
                return "pii-redaction";
            }

            @Override
            public System.Logger logger() {
                return System.getLogger(IsolatedStart.class.getName());
            }

            @Override
            public Path dataDir() {
                return dataDir;
            }
        }).close();
    }
}
