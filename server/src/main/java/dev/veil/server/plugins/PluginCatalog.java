package dev.veil.server.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.logging.Logger;
import java.util.stream.Stream;

import dev.veil.server.config.ConfigException;
import dev.veil.spi.plugin.PluginFactory;

/**
 * Every plugin factory Veil can use: the built-ins found by {@link ServiceLoader} on the server's class path, and
 * one per drop-in JAR in {@code veil.plugins-dir}, each JAR in its own {@link PluginClassLoader}. A JAR that is
 * broken, built against an SPI this Veil does not provide (another major version, or a later minor one), or names a
 * factory that already exists stops startup with a message that says which JAR and why.
 */
public final class PluginCatalog implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(PluginCatalog.class.getName());
    private static final String NAME_PATTERN = "[a-z0-9][a-z0-9-]*";
    private static final String PROVIDED = PluginFactory.SPI_VERSION + "." + PluginFactory.SPI_MINOR_VERSION;

    private final Map<String, AvailablePlugin> plugins;

    private PluginCatalog(Map<String, AvailablePlugin> plugins) {
        this.plugins = Collections.unmodifiableMap(plugins);
    }

    /** Discovers the built-ins and the JARs of {@code pluginsDir}. */
    public static PluginCatalog discover(Optional<Path> pluginsDir) {
        Map<String, AvailablePlugin> plugins = new LinkedHashMap<>();
        ClassLoader serverLoader = PluginCatalog.class.getClassLoader();
        for (PluginFactory factory : load(ServiceLoader.load(PluginFactory.class, serverLoader), "the class path")) {
            add(plugins, new AvailablePlugin(factory, "built-in", Optional.empty()));
        }
        if (pluginsDir.isPresent()) {
            for (Path jar : jars(pluginsDir.get())) {
                PluginClassLoader loader;
                try {
                    loader = new PluginClassLoader(jar, PluginFactory.class.getClassLoader());
                } catch (IOException e) {
                    throw new ConfigException("veil.plugins-dir", "cannot open plugin JAR " + jar);
                }
                List<PluginFactory> factories = load(ServiceLoader.load(PluginFactory.class, loader), jar.toString());
                if (factories.isEmpty()) {
                    throw new ConfigException("veil.plugins-dir", "plugin JAR " + jar + " provides no "
                            + PluginFactory.class.getName() + " (META-INF/services entry missing?)");
                }
                for (PluginFactory factory : factories) {
                    add(plugins, new AvailablePlugin(factory, jar.toString(), Optional.of(loader)));
                }
            }
        }
        for (AvailablePlugin plugin : plugins.values()) {
            LOGGER.info(() -> "plugin " + plugin.name() + " " + plugin.factory().version() + " available from "
                    + plugin.source());
        }
        return new PluginCatalog(plugins);
    }

    public Optional<AvailablePlugin> get(String name) {
        return Optional.ofNullable(plugins.get(name));
    }

    /** Every available plugin, built-ins first. */
    public List<AvailablePlugin> all() {
        return List.copyOf(plugins.values());
    }

    private static List<Path> jars(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException("veil.plugins-dir", dir + " is not a directory; create it or remove the key");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("veil.plugins-dir", "cannot list " + dir);
        }
    }

    private static List<PluginFactory> load(ServiceLoader<PluginFactory> loader, String source) {
        List<PluginFactory> factories = new ArrayList<>();
        try {
            for (PluginFactory factory : loader) {
                factories.add(factory);
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new ConfigException("veil.plugins-dir", "plugin from " + source + " cannot be loaded ("
                    + e.getClass().getSimpleName() + "); it was probably built against another version of veil-spi "
                    + "than this Veil's (SPI " + PROVIDED + ")");
        }
        return factories;
    }

    private static void add(Map<String, AvailablePlugin> plugins, AvailablePlugin plugin) {
        PluginFactory factory = plugin.factory();
        String name;
        int major;
        int minor;
        try {
            name = factory.name();
            major = factory.spiVersion();
            minor = factory.spiMinorVersion();
        } catch (LinkageError e) {
            throw new ConfigException("veil.plugins-dir", "plugin from " + plugin.source() + " cannot be loaded ("
                    + e.getClass().getSimpleName() + "); rebuild it against veil-spi SPI " + PROVIDED);
        }
        Optional<String> mismatch = spiMismatch(major, minor, PluginFactory.SPI_VERSION,
                PluginFactory.SPI_MINOR_VERSION);
        if (mismatch.isPresent()) {
            throw new ConfigException("veil.plugins-dir", "plugin '" + name + "' from " + plugin.source() + " "
                    + mismatch.get());
        }
        if (name == null || !name.matches(NAME_PATTERN)) {
            throw new ConfigException("veil.plugins-dir", "plugin from " + plugin.source() + " has the invalid name '"
                    + name + "'; names are lower case letters, digits and dashes");
        }
        AvailablePlugin existing = plugins.putIfAbsent(name, plugin);
        if (existing != null) {
            throw new ConfigException("veil.plugins-dir", "plugin '" + name + "' from " + plugin.source()
                    + " clashes with the one from " + existing.source() + "; remove one of them");
        }
    }

    /**
     * Why a plugin built against SPI {@code builtMajor.builtMinor} cannot run on a Veil providing
     * {@code hostMajor.hostMinor}, with the fix; empty when it can: same major version, and a minor version no later
     * than the host's (a minor version only adds to the API, so what a plugin built against an earlier one uses is
     * still there).
     */
    static Optional<String> spiMismatch(int builtMajor, int builtMinor, int hostMajor, int hostMinor) {
        if (builtMajor == hostMajor && builtMinor >= 0 && builtMinor <= hostMinor) {
            return Optional.empty();
        }
        String built = builtMajor + "." + builtMinor;
        String host = hostMajor + "." + hostMinor;
        String fix = builtMajor > hostMajor || (builtMajor == hostMajor && builtMinor > hostMinor)
                ? "run it on a Veil that provides SPI " + builtMajor + "." + builtMinor + " or a later "
                        + builtMajor + ".x, or rebuild the plugin against this Veil's veil-spi (" + host + ")"
                : "rebuild the plugin against this Veil's veil-spi (" + host + ")";
        return Optional.of("was built against SPI " + built + ", but this Veil provides SPI " + host
                + ", which runs plugins built against " + hostMajor + ".0 to " + host + "; " + fix);
    }

    /** Closes the drop-in JARs' class loaders (and so their open JAR files), once their plugins are closed. */
    @Override
    public void close() {
        plugins.values().stream().flatMap(plugin -> plugin.loader().stream()).distinct().forEach(loader -> {
            try {
                ((java.net.URLClassLoader) loader).close();
            } catch (java.io.IOException e) {
                LOGGER.warning(() -> "a plugin JAR's class loader failed to close: " + e.getClass().getName());
            }
        });
    }
}
