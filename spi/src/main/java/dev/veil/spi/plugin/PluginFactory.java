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
 *     public Plugin create(PluginSettings settings, PluginContext context) {
 *         return new BlocklistPlugin(settings.strings("words"));
 *     }
 * }
 * }</pre>
 */
public interface PluginFactory {
    /**
     * The version of this API. It changes only when the API changes incompatibly; Veil refuses factories built
     * against another version. Being a compile-time constant, it is copied into a plugin's class file when the
     * plugin is compiled, which is what makes {@link #spiVersion()} report the version built against.
     */
    int SPI_VERSION = 1;

    /** The name config selects this factory by ({@code veil.plugins[].name}): lower case, digits and dashes. */
    String name();

    /** The SPI version this factory was compiled against: implement it as {@code return SPI_VERSION;}. */
    int spiVersion();

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
