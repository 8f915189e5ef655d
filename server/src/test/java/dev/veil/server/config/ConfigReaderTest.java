package dev.veil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigReaderTest {
    private static final Map<String, String> ENV = Map.of("TOKEN", "from-env");

    /** The {@code veil.section} node of a config whose section holds {@code settings}. */
    private static ConfigReader section(Map<String, ?> settings) {
        return ConfigReader.root(Map.of("veil", Map.of("section", settings)), new EnvSubstitution(ENV::get))
                .get("veil").get("section");
    }

    private static ConfigReader setting(String value) {
        return section(Map.of("value", value));
    }

    @Test
    void namesANestedNodeByItsFullKey() {
        assertThat(section(Map.of()).key("value")).isEqualTo("veil.section.value");
    }

    @Test
    void namesAListItemByItsIndex() {
        ConfigReader node = section(Map.of("list", List.of(Map.of(), Map.of("timeout", "soon"))));

        ConfigReader item = node.items("list", "must be a list").get(1);

        assertThatThrownBy(() -> item.duration("timeout"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.section.list[1].timeout: ");
    }

    @Test
    void rejectsAnUnknownKeyListingTheKnownOnes() {
        assertThatThrownBy(() -> section(Map.of("colour", "red")).rejectUnknown(Set.of("size", "color")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.colour: unknown key; known keys here: color, size");
    }

    @Test
    void acceptsAnAbsentSectionWhenCheckingItsKeys() {
        ConfigReader absent = section(Map.of()).get("missing");

        assertThat(absent.rejectUnknown(Set.of("size")).exists()).isFalse();
    }

    @Test
    void rejectsASingleValueWhereASectionBelongs() {
        assertThatThrownBy(() -> setting("5").get("value").rejectUnknown(Set.of("size")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: must be a map of settings");
    }

    @Test
    void readsAnAbsentSettingAsEmpty() {
        assertThat(section(Map.of()).string("value")).isEmpty();
    }

    @Test
    void rejectsAListWhereASingleValueBelongs() {
        assertThatThrownBy(() -> section(Map.of("value", List.of("a"))).string("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: must be a single value");
    }

    @Test
    void substitutesEnvironmentReferencesInTheValueItReads() {
        assertThat(setting("Bearer ${TOKEN}").string("value")).hasValue("Bearer from-env");
    }

    @Test
    void namesTheSettingWhoseVariableIsNotSet() {
        assertThatThrownBy(() -> setting("${UNSET}").string("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.section.value: environment variable UNSET is not set");
    }

    @Test
    void leavesUnreadValuesUnsubstituted() {
        ConfigReader node = section(Map.of("read", "ok", "unread", "${UNSET}"));

        assertThat(node.string("read")).hasValue("ok");
    }

    @Test
    void readsAWholeNumber() {
        assertThat(setting(" 42 ").integer("value")).hasValue(42);
    }

    @Test
    void rejectsAFractionWhereAWholeNumberBelongs() {
        assertThatThrownBy(() -> setting("1.5").integer("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: must be a whole number, got '1.5'");
    }

    @ParameterizedTest
    @CsvSource({"true,true", "FALSE,false", "' True ',true"})
    void readsTrueAndFalseInAnyCase(String written, boolean expected) {
        assertThat(setting(written).bool("value")).hasValue(expected);
    }

    @Test
    void rejectsYesWhereTrueOrFalseBelongs() {
        assertThatThrownBy(() -> setting("yes").bool("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: must be true or false, got 'yes'");
    }

    @ParameterizedTest
    @CsvSource({"500ms,PT0.5S", "30s,PT30S", "10m,PT10M", "2h,PT2H", "' 5 s ',PT5S", "PT1M30S,PT1M30S",
            "-PT1S,-PT1S"})
    void readsEachDurationForm(String written, Duration expected) {
        assertThat(setting(written).duration("value")).hasValue(expected);
    }

    @Test
    void rejectsADurationWithoutAUnit() {
        assertThatThrownBy(() -> setting("30").duration("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: '30' is not a duration; write for example 500ms, 30s, 10m");
    }

    @Test
    void rejectsADurationTooLongToHold() {
        assertThatThrownBy(() -> setting("99999999999999999999h").duration("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not a duration");
    }

    @Test
    void rejectsZeroWhereADurationMustBeAboveZero() {
        assertThatThrownBy(() -> setting("0s").positiveDuration("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: must be above zero, got '0s'");
    }

    @ParameterizedTest
    @CsvSource({"512,512", "2b,2", "1kb,1000", "1MB,1000000", "1gb,1000000000", "1KiB,1024", "4 mib,4194304",
            "1GiB,1073741824"})
    void readsEachSizeUnit(String written, long expected) {
        assertThat(setting(written).size("value")).hasValue(expected);
    }

    @Test
    void rejectsASizeWithAnUnknownUnit() {
        assertThatThrownBy(() -> setting("1TB").size("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: '1TB' is not a size; write for example 1048576, 512KiB or 32MiB");
    }

    @Test
    void rejectsASizeTooLargeToHold() {
        assertThatThrownBy(() -> setting("9999999999GiB").size("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: '9999999999GiB' is too large a size");
    }

    @Test
    void readsAUrlWithoutItsTrailingSlash() {
        assertThat(setting("https://example.com/v1/").url("value")).hasValue(URI.create("https://example.com/v1"));
    }

    @Test
    void aRejectedUrlIsShownWithoutItsCredentialsOrQuery() {
        assertThatThrownBy(() -> setting("ftp://admin:s3cret@example.com/v1?api_key=k-123").url("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: 'ftp://example.com/v1' must be an absolute http:// or https:// URL");
    }

    @Test
    void rejectsAUrlThatIsNotHttp() {
        assertThatThrownBy(() -> setting("ftp://example.com").url("value"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.value: 'ftp://example.com' must be an absolute http:// or https:// URL");
    }

    @Test
    void readsAListOfValuesWithReferencesSubstituted() {
        assertThat(section(Map.of("list", List.of("a", "${TOKEN}"))).strings("list"))
                .containsExactly("a", "from-env");
    }

    @Test
    void rejectsASingleValueWhereAListBelongs() {
        assertThatThrownBy(() -> section(Map.of("list", "a")).strings("list"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.list: must be a list, for example [a, b]");
    }

    @Test
    void namesTheListItemThatIsNotASingleValue() {
        assertThatThrownBy(() -> section(Map.of("list", List.of("a", List.of("b")))).strings("list"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.list[1]: must be a single value");
    }

    @Test
    void readsAMapOfValues() {
        assertThat(section(Map.of("map", Map.of("x-team", "${TOKEN}"))).stringMap("map"))
                .containsExactly(Map.entry("x-team", "from-env"));
    }

    @Test
    void rejectsAListWhereAMapOfValuesBelongs() {
        assertThatThrownBy(() -> section(Map.of("map", List.of("a"))).stringMap("map"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("veil.section.map: must be a map, for example {name: value}");
    }

    @Test
    void ordersNamedEntriesByName() {
        ConfigReader node = section(Map.of("entries", Map.of("zeta", Map.of(), "alpha", Map.of(), "mu", Map.of())));

        assertThat(node.entries("entries")).extracting(ConfigReader::name).containsExactly("alpha", "mu", "zeta");
    }

    @Test
    void givesASubtreeAsPlainValuesWithReferencesSubstituted() {
        ConfigReader node = section(Map.of("tree", Map.of("list", List.of("${TOKEN}"), "nested", Map.of("k", "v"))));

        assertThat(node.get("tree").plain()).isEqualTo(Map.of("list", List.of("from-env"), "nested",
                Map.of("k", "v")));
    }

    /** Veil's own keys and plugin settings read durations alike, so one spelling works everywhere in a config. */
    @ParameterizedTest
    @ValueSource(strings = {"500ms", "30s", "10m", "1h", " 7 ms ", "PT1S", "-PT1S", "P1D", "30", "1d", "5sec",
            "1.5s", "-1s", "", "99999999999999999999s", "9223372036854775807h"})
    void readsEveryDurationAsPluginSettingsDo(String written) {
        Optional<Duration> plugin;
        try {
            plugin = Optional.of(new PluginSettings("veil.plugins[0]", Map.of("value", written))
                    .duration("value", Duration.ZERO));
        } catch (PluginConfigException e) {
            plugin = Optional.empty();
        }
        Optional<Duration> veil;
        try {
            veil = setting(written).duration("value");
        } catch (ConfigException e) {
            veil = Optional.empty();
        }

        assertThat(veil).isEqualTo(plugin);
    }
}
