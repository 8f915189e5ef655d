package dev.veil.plugins.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.ProviderInfo;
import dev.veil.spi.testing.TestExchange;

class ZeroRetentionPluginTest {
    private static final TestContext CONTEXT = new TestContext(List.of(
            ProviderInfo.of("local", "openai-compatible").withZeroRetention(true)));

    private static ZeroRetentionPlugin plugin(Map<String, ?> settings) {
        return (ZeroRetentionPlugin) new ZeroRetentionFactory().create(
                new PluginSettings("veil.plugins[0]", settings), CONTEXT);
    }

    private static TestExchange run(ZeroRetentionPlugin plugin, TestExchange exchange) {
        plugin.onExchange(exchange);
        return exchange;
    }

    @Test
    void marksEveryRequestOfAListedTenant() {
        TestExchange exchange = run(plugin(Map.of("tenants", List.of("bank", "clinic"))), TestExchange.ofTenant("clinic"));

        assertThat(exchange.get(Attributes.ZERO_RETENTION)).hasValue(true);
        assertThat(exchange.get(Attributes.ZERO_RETENTION_REASON)).hasValue("tenant");
    }

    @Test
    void leavesOtherTenantsAlone() {
        TestExchange exchange = run(plugin(Map.of("tenants", List.of("bank"))), TestExchange.ofTenant("shop"));

        assertThat(exchange.get(Attributes.ZERO_RETENTION)).isEmpty();
        assertThat(exchange.get(Attributes.ZERO_RETENTION_REASON)).isEmpty();
    }

    @Test
    void marksAKeyWithAListedLabelValue() {
        TestExchange exchange = run(plugin(Map.of("labels", Map.of("regulated", "true"))),
                TestExchange.labelled(Map.of("regulated", "true", "env", "prod")));

        assertThat(exchange.get(Attributes.ZERO_RETENTION)).hasValue(true);
        assertThat(exchange.get(Attributes.ZERO_RETENTION_REASON)).hasValue("label");
    }

    @Test
    void acceptsAnyOfSeveralValuesOfOneLabel() {
        TestExchange exchange = run(plugin(Map.of("labels", Map.of("tier", List.of("restricted", "secret")))),
                TestExchange.labelled(Map.of("tier", "secret")));

        assertThat(exchange.get(Attributes.ZERO_RETENTION)).hasValue(true);
    }

    @Test
    void leavesAKeyWhoseLabelHasAnotherValueAlone() {
        TestExchange exchange = run(plugin(Map.of("labels", Map.of("regulated", "true"))),
                TestExchange.labelled(Map.of("regulated", "false")));

        assertThat(exchange.get(Attributes.ZERO_RETENTION)).isEmpty();
    }

    @Test
    void marksAListedDataClassWhateverItsCase() {
        TestExchange exchange = run(plugin(Map.of("data-classes", List.of("Health"))),
                TestExchange.withMetadata(Map.of("data_class", " HEALTH ")));

        assertThat(exchange.get(Attributes.ZERO_RETENTION)).hasValue(true);
        assertThat(exchange.get(Attributes.ZERO_RETENTION_REASON)).hasValue("data_class");
    }

    @Test
    void leavesAnUnlistedDataClassAlone() {
        TestExchange exchange = run(plugin(Map.of("data-classes", List.of("health"))),
                TestExchange.withMetadata(Map.of("data_class", "marketing", "health", "yes")));

        assertThat(exchange.get(Attributes.ZERO_RETENTION)).isEmpty();
    }

    @Test
    void marksEveryRequestWithAll() {
        TestExchange exchange = run(plugin(Map.of("all", "true")), TestExchange.ofTenant("anyone"));

        assertThat(exchange.get(Attributes.ZERO_RETENTION)).hasValue(true);
        assertThat(exchange.get(Attributes.ZERO_RETENTION_REASON)).hasValue("all");
    }

    @Test
    void recordsTheTenantAsReasonWhenTheClientAlsoAsked() {
        TestExchange exchange = TestExchange.ofTenant("bank");
        exchange.put(Attributes.ZERO_RETENTION, true);
        exchange.put(Attributes.ZERO_RETENTION_REASON, "header");

        run(plugin(Map.of("tenants", List.of("bank"))), exchange);

        assertThat(exchange.get(Attributes.ZERO_RETENTION_REASON)).hasValue("tenant");
    }

    @Test
    void neverSwitchesOffZeroRetentionSomethingElseRequired() {
        TestExchange exchange = TestExchange.ofTenant("shop");
        exchange.put(Attributes.ZERO_RETENTION, true);
        exchange.put(Attributes.ZERO_RETENTION_REASON, "header");

        run(plugin(Map.of("tenants", List.of("bank"))), exchange);

        assertThat(exchange.get(Attributes.ZERO_RETENTION)).hasValue(true);
        assertThat(exchange.get(Attributes.ZERO_RETENTION_REASON)).hasValue("header");
    }
}
