package dev.veil.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.LinkedHashSet;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;

import dev.veil.server.VeilServer;
import dev.veil.server.architecture.fixture.ledger.Ledger;
import dev.veil.server.architecture.fixture.pricing.Tariff;
import dev.veil.spi.plugin.PluginFactory;

/**
 * The layering every change must keep: packages form no cycle, the server reaches plugins only through the SPI and
 * {@link java.util.ServiceLoader}, and the SPI a plugin compiles against needs nothing but the JDK.
 */
class LayeringTest {

    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("dev.veil.(**)")
            .should().beFreeOfCycles()
            .as("no package of Veil depends on itself through other packages");

    static final ArchRule SERVER_DOES_NOT_IMPORT_PLUGINS = noClasses().that().resideInAPackage("dev.veil.server..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.veil.plugins..", "dev.veil.examples..")
            .as("the server reaches plugins through the SPI only, never by importing a plugin module");

    static final ArchRule SPI_NEEDS_ONLY_THE_JDK = classes().that().resideInAPackage("dev.veil.spi..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.veil.spi..", "")
            .as("the SPI depends on nothing but the JDK, so a plugin brings its own libraries");

    private static JavaClasses production;

    /**
     * Imports from the server's, the SPI's and each built-in plugin's own class folder or JAR, found from a class each
     * holds: scanning the whole class path for {@code dev.veil} would open every dependency's JAR.
     */
    @BeforeAll
    static void importProductionClasses() {
        Set<URL> locations = new LinkedHashSet<>();
        locations.add(locationOf(VeilServer.class));
        locations.add(locationOf(PluginFactory.class));
        ServiceLoader.load(PluginFactory.class).stream().map(ServiceLoader.Provider::type)
                .forEach(type -> locations.add(locationOf(type)));
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importLocations(locations.stream().map(Location::of).collect(Collectors.toSet()));
    }

    private static URL locationOf(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void importsTheServerTheSpiAndTheBuiltInPlugins() {
        assertThat(production.containPackage("dev.veil.server.pipeline")).isTrue();
        assertThat(production.containPackage("dev.veil.spi.plugin")).isTrue();
        assertThat(production.containPackage("dev.veil.plugins.pii")).isTrue();
    }

    @Test
    void noPackageCycle() {
        NO_PACKAGE_CYCLES.check(production);
    }

    @Test
    void serverImportsNoPluginModule() {
        SERVER_DOES_NOT_IMPORT_PLUGINS.check(production);
    }

    @Test
    void spiImportsOnlyTheJdk() {
        SPI_NEEDS_ONLY_THE_JDK.check(production);
    }

    @Test
    void cycleRuleCatchesADeliberateCycle() {
        JavaClasses withCycle = new ClassFileImporter().importClasses(Ledger.class, Tariff.class);

        assertThat(NO_PACKAGE_CYCLES.evaluate(withCycle).getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains("fixture.ledger").contains("fixture.pricing"));
    }
}
