package dev.veil.spi.plugin;

/**
 * Creates plugins of one kind; found with {@link java.util.ServiceLoader}. Implementations need a public no-argument
 * constructor.
 *
 * <p>Minimal implementation:
 * <pre>{@code
 * public final class BlocklistFactory implements PluginFactory {
 *     public String name() { return "blocklist"; }
 *     public int spiVersion() { return SPI_VERSION; }
 *     public int spiMinorVersion() { return SPI_MINOR_VERSION; }
 *     public Plugin create(PluginSettings settings, PluginContext context) {
 *         return new BlocklistPlugin(settings.strings("words"));
 *     }
 * }
 * }</pre>
 *
 * <p><b>Versions.</b> The SPI's version is {@link #SPI_VERSION}.{@link #SPI_MINOR_VERSION}. Veil runs a plugin built
 * against SPI {@code M.m} when it provides the same major version {@code M} and a minor version of at least
 * {@code m}; it refuses any other at startup, naming both versions. Being compile-time constants, both are copied
 * into a plugin's class file when the plugin is compiled, which is what makes {@link #spiVersion()} and
 * {@link #spiMinorVersion()} report the version built against.
 */
public interface PluginFactory {
    /**
     * The major version of this API. It changes only when the API changes incompatibly (a type, method or record
     * component removed or changed, a method added that plugins would have to implement); the build compares the
     * API against a committed baseline and fails on such a change unless this number changes too.
     */
    int SPI_VERSION = 2;

    /**
     * The minor version of this API within its major version. It grows when the API gains something (a type, a
     * factory, a default method, an attribute key); back to 0 when {@link #SPI_VERSION} changes.
     */
    int SPI_MINOR_VERSION = 5;

    /** The name config selects this factory by ({@code veil.plugins[].name}): lower case, digits and dashes. */
    String name();

    /** The SPI major version this factory was compiled against: implement it as {@code return SPI_VERSION;}. */
    int spiVersion();

    /**
     * The SPI minor version this factory was compiled against: implement it as {@code return SPI_MINOR_VERSION;}.
     * The default, 0, claims only what the first minor version of {@link #spiVersion()} offered, which every Veil of
     * that major version provides; a plugin that uses something added later and keeps the default may fail at run
     * time on an older Veil instead of being refused at startup.
     */
    default int spiMinorVersion() {
        return 0;
    }

    /** The plugin's own version, for listings; by default the JAR manifest's {@code Implementation-Version}. */
    default String version() {
        Package pkg = getClass().getPackage();
        String version = pkg == null ? null : pkg.getImplementationVersion();
        return version == null ? "unversioned" : version;
    }

    /**
     * Creates a plugin for one config entry. Called once per entry at startup, never on the request path.
     *
     * @param settings the entry's settings, without the keys Veil itself reads ({@code name}, {@code fail-open},
     *                 {@code timeout})
     * @param context host services
     * @throws PluginConfigException when the settings are invalid; Veil refuses to start and shows the message
     */
    Plugin create(PluginSettings settings, PluginContext context);
}
