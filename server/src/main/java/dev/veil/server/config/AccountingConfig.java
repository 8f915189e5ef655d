package dev.veil.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How Veil prices usage and accounts for spend: price overrides on top of the built-in list prices, where budget
 * alerts go, and how often spend reaches the database.
 *
 * @param prices {@code veil.prices}: per provider model, in config order; they take precedence over the defaults
 * @param alertWebhook {@code veil.alerts.webhook-url}: where soft-threshold alerts are POSTed, when set
 * @param alertTimeout {@code veil.alerts.timeout}: how long one alert delivery may take
 * @param flushInterval {@code veil.accounting.flush-interval}: how often spend is written to the store
 * @param reserveOutputTokens {@code veil.accounting.reserve-output-tokens}: output tokens a budget reserves for a
 *                            request that sets no {@code max_tokens}
 * @param store {@code veil.store}: where keys, budgets and spend are kept
 * @param sharedLimits {@code veil.limits.shared}: rate limits and budget reservations shared by the replicas, when set
 */
public record AccountingConfig(List<PriceEntry> prices, Optional<URI> alertWebhook, Duration alertTimeout,
                               Duration flushInterval, long reserveOutputTokens, StoreConfig store,
                               Optional<SharedLimitsConfig> sharedLimits) {
    public static final Duration DEFAULT_ALERT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    public static final long DEFAULT_RESERVE_OUTPUT_TOKENS = 1024;
    private static final Set<String> ALERT_KEYS = Set.of("webhook-url", "timeout");
    private static final Set<String> ACCOUNTING_KEYS = Set.of("flush-interval", "reserve-output-tokens");

    public AccountingConfig {
        prices = List.copyOf(prices);
        Objects.requireNonNull(alertWebhook, "alertWebhook");
        Objects.requireNonNull(alertTimeout, "alertTimeout");
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(sharedLimits, "sharedLimits");
    }

    /**
     * {@code veil.prices}, {@code veil.alerts}, {@code veil.accounting}, {@code veil.store} and
     * {@code veil.limits.shared}.
     *
     * @param veil the {@code veil} section
     * @param providers the configured providers' names, which prices must name
     */
    static AccountingConfig from(ConfigReader veil, Collection<String> providers) {
        List<PriceEntry> prices = new ArrayList<>();
        for (ConfigReader item : veil.items("prices", "must be a list of prices, for example "
                + "[{model: openai/gpt-4o, input: 2.5, output: 10, cached-input: 1.25}]")) {
            prices.add(PriceEntry.from(item, providers));
        }
        ConfigReader alerts = veil.get("alerts").rejectUnknown(ALERT_KEYS);
        ConfigReader accounting = veil.get("accounting").rejectUnknown(ACCOUNTING_KEYS);
        long reserve = accounting.integer("reserve-output-tokens").map(Integer::longValue)
                .orElse(DEFAULT_RESERVE_OUTPUT_TOKENS);
        if (reserve < 0) {
            throw accounting.invalid("reserve-output-tokens", "must not be negative");
        }
        Duration flush = accounting.duration("flush-interval").orElse(DEFAULT_FLUSH_INTERVAL);
        if (flush.isZero() || flush.isNegative()) {
            throw accounting.invalid("flush-interval", "must be positive, for example 1s");
        }
        StoreConfig store = StoreConfig.from(veil.get("store"));
        return new AccountingConfig(prices, alerts.url("webhook-url"),
                alerts.duration("timeout").orElse(DEFAULT_ALERT_TIMEOUT), flush, reserve, store,
                SharedLimitsConfig.from(veil.get("limits").get("shared"), store));
    }

    /** No price overrides, no alerts, default intervals, the embedded store. */
    public static AccountingConfig defaults() {
        return new AccountingConfig(List.of(), Optional.empty(), DEFAULT_ALERT_TIMEOUT, DEFAULT_FLUSH_INTERVAL,
                DEFAULT_RESERVE_OUTPUT_TOKENS, StoreConfig.sqlite(), Optional.empty());
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
        private static final Set<String> KEYS = Set.of("model", "input", "output", "cached-input", "cache-write",
                "reasoning");

        /** One item of {@code veil.prices}; the cache and reasoning prices default to the input and output ones. */
        static PriceEntry from(ConfigReader item, Collection<String> providers) {
            if (!item.isMap()) {
                throw item.invalid("must be a map, for example {model: openai/gpt-4o, input: 2.5, output: 10}");
            }
            item.rejectUnknown(KEYS);
            TargetRef model = TargetRef.parse(item.key("model"), item.string("model").orElseThrow(() ->
                    item.invalid("model", "missing; name the provider model, for example openai/gpt-4o")), providers);
            double input = money(item, "input").orElseThrow(() -> item.invalid("input",
                    "missing; give US dollars per million input tokens, for example input: 2.5"));
            double output = money(item, "output").orElseThrow(() -> item.invalid("output",
                    "missing; give US dollars per million output tokens, for example output: 10"));
            return new PriceEntry(model.provider(), model.model(), input, output,
                    money(item, "cached-input").orElse(input), money(item, "cache-write").orElse(input),
                    money(item, "reasoning").orElse(output));
        }

        private static Optional<Double> money(ConfigReader item, String setting) {
            return item.string(setting).map(text -> {
                double amount;
                try {
                    amount = Double.parseDouble(text.trim());
                } catch (NumberFormatException e) {
                    amount = -1;
                }
                if (amount < 0 || Double.isNaN(amount) || Double.isInfinite(amount)) {
                    throw item.invalid(setting, "must be a non-negative number of US dollars per million tokens, got '"
                            + text + "'");
                }
                return amount;
            });
        }
    }
}
