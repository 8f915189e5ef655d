package dev.veil.server.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which SPI versions a Veil runs plugins built against: the same major version, and no later minor one. */
class PluginCatalogTest {

    @Test
    void acceptsAPluginBuiltAgainstTheSameVersion() {
        assertThat(PluginCatalog.spiMismatch(2, 3, 2, 3)).isEmpty();
    }

    @Test
    void acceptsAPluginBuiltAgainstAnEarlierMinorVersion() {
        assertThat(PluginCatalog.spiMismatch(2, 0, 2, 3)).isEmpty();
        assertThat(PluginCatalog.spiMismatch(2, 2, 2, 3)).isEmpty();
    }

    @Test
    void refusesAPluginBuiltAgainstALaterMinorVersionNamingBothAndTheFix() {
        assertThat(PluginCatalog.spiMismatch(2, 4, 2, 3)).hasValue("was built against SPI 2.4, but this Veil "
                + "provides SPI 2.3, which runs plugins built against 2.0 to 2.3; run it on a Veil that provides SPI "
                + "2.4 or a later 2.x, or rebuild the plugin against this Veil's veil-spi (2.3)");
    }

    @Test
    void refusesAPluginBuiltAgainstAnEarlierMajorVersion() {
        assertThat(PluginCatalog.spiMismatch(1, 0, 2, 3)).hasValue("was built against SPI 1.0, but this Veil "
                + "provides SPI 2.3, which runs plugins built against 2.0 to 2.3; rebuild the plugin against this "
                + "Veil's veil-spi (2.3)");
    }

    @Test
    void refusesAPluginBuiltAgainstALaterMajorVersionWhateverItsMinor() {
        assertThat(PluginCatalog.spiMismatch(3, 0, 2, 3)).hasValueSatisfying(why -> assertThat(why)
                .contains("built against SPI 3.0").contains("run it on a Veil that provides SPI 3.0 or a later 3.x"));
    }

    @Test
    void refusesANegativeMinorVersion() {
        assertThat(PluginCatalog.spiMismatch(2, -1, 2, 3)).isPresent();
    }
}
