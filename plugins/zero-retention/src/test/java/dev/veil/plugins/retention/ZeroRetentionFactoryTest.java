package dev.veil.plugins.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.ProviderInfo;

class ZeroRetentionFactoryTest {
    private static final ProviderInfo RETAINING = ProviderInfo.of("openai", "openai").withRegion("us");
    private static final ProviderInfo RETAINING_NOTHING = ProviderInfo.of("local", "openai-compatible")
            .withRegion("eu").withZeroRetention(true);

    private static RetentionSettings read(Map<String, ?> values) {
        return RetentionSettings.from(new PluginSettings("veil.plugins[1]", values));
    }

    @Test
    void readsEveryTrigger() {
        assertThat(read(Map.of("tenants", List.of("bank", " clinic"), "labels", Map.of("regulated", "true"),
                "data-classes", List.of("Health", "PHI"))))
                .isEqualTo(new RetentionSettings(false, Set.of("bank", "clinic"),
                        Map.of("regulated", Set.of("true")), Set.of("health", "phi")));
    }

    @Test
    void readsASingleTenantAsAListOfOne() {
        assertThat(read(Map.of("tenants", "bank")).tenants()).containsExactly("bank");
    }

    @Test
    void rejectsSettingsWithoutAnyTrigger() {
        assertThatThrownBy(() -> read(Map.of())).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[1]").hasMessageContaining("all: true");
    }

    @Test
    void rejectsAllFalseAlone() {
        assertThatThrownBy(() -> read(Map.of("all", "false"))).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[1]");
    }

    @Test
    void rejectsAllTogetherWithNarrowerTriggers() {
        assertThatThrownBy(() -> read(Map.of("all", "true", "tenants", List.of("bank"))))
                .isInstanceOf(PluginConfigException.class).hasMessageContaining("veil.plugins[1].all");
    }

    @Test
    void rejectsAnAllThatIsNotABoolean() {
        assertThatThrownBy(() -> read(Map.of("all", "yes"))).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[1].all").hasMessageContaining("true or false");
    }

    @Test
    void rejectsABlankTenant() {
        assertThatThrownBy(() -> read(Map.of("tenants", List.of("bank", " ")))).isInstanceOf(
                PluginConfigException.class).hasMessageContaining("veil.plugins[1].tenants");
    }

    @Test
    void rejectsTenantsThatAreASection() {
        assertThatThrownBy(() -> read(Map.of("tenants", Map.of("bank", "true")))).isInstanceOf(
                PluginConfigException.class).hasMessageContaining("veil.plugins[1].tenants");
    }

    @Test
    void rejectsLabelsThatAreAList() {
        assertThatThrownBy(() -> read(Map.of("labels", List.of("regulated")))).isInstanceOf(
                PluginConfigException.class).hasMessageContaining("veil.plugins[1].labels");
    }

    @Test
    void rejectsALabelWithoutValues() {
        assertThatThrownBy(() -> read(Map.of("labels", Map.of("regulated", List.of()))))
                .isInstanceOf(PluginConfigException.class).hasMessageContaining("veil.plugins[1].labels.regulated");
    }

    @Test
    void rejectsABlankDataClass() {
        assertThatThrownBy(() -> read(Map.of("data-classes", List.of("")))).isInstanceOf(
                PluginConfigException.class).hasMessageContaining("veil.plugins[1].data-classes");
    }

    @Test
    void rejectsAnUnknownSetting() {
        assertThatThrownBy(() -> read(Map.of("tenant", List.of("bank")))).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("veil.plugins[1].tenant").hasMessageContaining("tenants");
    }

    @Test
    void warnsWhenNoProviderRetainsNothing() {
        TestContext context = new TestContext(List.of(RETAINING));

        new ZeroRetentionFactory().create(new PluginSettings("veil.plugins[1]", Map.of("all", "true")), context);

        assertThat(context.logged()).singleElement().asString().startsWith("WARNING")
                .contains("veil.plugins[1]").contains("zero_retention_unavailable");
    }

    @Test
    void staysQuietWhenAProviderRetainsNothing() {
        TestContext context = new TestContext(List.of(RETAINING, RETAINING_NOTHING));

        new ZeroRetentionFactory().create(new PluginSettings("veil.plugins[1]", Map.of("all", "true")), context);

        assertThat(context.logged()).isEmpty();
    }
}
