package dev.veil.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How Veil prices usage and accounts for spend: price overrides on top of the built-in list prices, where budget
 * alerts go, and how often spend reaches the database.
 *
 * @param prices {@code veil.prices}: per provider model, in config order; they take precedence over the defaults
 * @param alertWebhook {@code veil.alerts.webhook-url}: where soft-threshold alerts are POSTed, when set
 * @param alertTimeout {@code veil.alerts.timeout}: how long one alert delivery may take
 * @param flushInterval {@code veil.accounting.flush-interval}: how often spend is written to SQLite
 * @param reserveOutputTokens {@code veil.accounting.reserve-output-tokens}: output tokens a budget reserves for a
 *                            request that sets no {@code max_tokens}
 */
public record AccountingConfig(List<PriceEntry> prices, Optional<URI> alertWebhook, Duration alertTimeout,
                               Duration flushInterval, long reserveOutputTokens) {
    public static final Duration DEFAULT_ALERT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    public static final long DEFAULT_RESERVE_OUTPUT_TOKENS = 1024;

    public AccountingConfig {
        prices = List.copyOf(prices);
        Objects.requireNonNull(alertWebhook, "alertWebhook");
        Objects.requireNonNull(alertTimeout, "alertTimeout");
        Objects.requireNonNull(flushInterval, "flushInterval");
    }

    /** No price overrides, no alerts, default intervals. */
    public static AccountingConfig defaults() {
        return new AccountingConfig(List.of(), Optional.empty(), DEFAULT_ALERT_TIMEOUT, DEFAULT_FLUSH_INTERVAL,
                DEFAULT_RESERVE_OUTPUT_TOKENS);
    }

    /**
     * One configured price, in US dollars per million tokens.
     *
     * @param provider the configured provider name
     * @param model the provider's model name
     * @param input uncached input tokens
     * @param output output tokens (reasoning included unless {@code reasoning} is set)
     * @param cachedInput input tokens read from the provider's prompt cache
     * @param cacheWrite input tokens written to the provider's prompt cache
     * @param reasoning reasoning tokens
     */
    public record PriceEntry(String provider, String model, double input, double output, double cachedInput,
                             double cacheWrite, double reasoning) {
    }
}
