package dev.veil.spi.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The build checks the API against {@code api-baseline/veil-spi-<major>.jar}, the major taken from the POM's
 * {@code veil.spi.major}: these keep that property, the baseline and {@link PluginFactory#SPI_VERSION} in step, so
 * that the check cannot be sidestepped by changing one of them alone.
 */
class SpiBaselineTest {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));

    @Test
    void theBuildChecksAgainstTheBaselineOfThisMajorVersion() throws Exception {
        assertThat(pomMajor()).as("veil.spi.major in spi/pom.xml").isEqualTo(PluginFactory.SPI_VERSION);
    }

    @Test
    void theBaselineIsOfThisMajorVersionAndNoLaterMinor() throws Exception {
        Path baseline = MODULE.resolve("api-baseline/veil-spi-" + PluginFactory.SPI_VERSION + ".jar");
        assertThat(baseline).as("the baseline of SPI " + PluginFactory.SPI_VERSION + "; see spi/README.md").exists();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {baseline.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> factory = loader.loadClass(PluginFactory.class.getName());

            assertThat(factory.getField("SPI_VERSION").getInt(null)).as("SPI_VERSION in " + baseline)
                    .isEqualTo(PluginFactory.SPI_VERSION);
            assertThat(factory.getField("SPI_MINOR_VERSION").getInt(null)).as("SPI_MINOR_VERSION in " + baseline)
                    .isLessThanOrEqualTo(PluginFactory.SPI_MINOR_VERSION);
        }
    }

    private static int pomMajor() throws Exception {
        Matcher major = Pattern.compile("<veil\\.spi\\.major>(\\d+)</veil\\.spi\\.major>")
                .matcher(Files.readString(MODULE.resolve("pom.xml")));
        assertThat(major.find()).as("veil.spi.major in spi/pom.xml").isTrue();
        return Integer.parseInt(major.group(1));
    }
}
