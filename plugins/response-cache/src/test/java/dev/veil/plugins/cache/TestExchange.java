package dev.veil.plugins.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Exchange;

/** A plain exchange for unit tests of the plugin's phases. */
final class TestExchange implements Exchange {
    private final Map<AttributeKey<?>, Object> attributes = new HashMap<>();
    private final String tenant;

    TestExchange(String tenant) {
        this.tenant = tenant;
    }

    TestExchange() {
        this("acme");
    }

    @Override
    public String requestId() {
        return "req-test";
    }

    @Override
    public String surface() {
        return "openai.chat";
    }

    @Override
    public Caller caller() {
        return new Caller("key", tenant, "team", Map.of());
    }

    @Override
    public boolean streaming() {
        return false;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }

    @Override
    public <T> Optional<T> get(AttributeKey<T> key) {
        return Optional.ofNullable(key.type().cast(attributes.get(key)));
    }

    @Override
    public <T> void put(AttributeKey<T> key, T value) {
        attributes.put(key, key.type().cast(value));
    }
}
