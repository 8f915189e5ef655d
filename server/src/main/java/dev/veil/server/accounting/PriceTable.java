package dev.veil.server.accounting;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.veil.server.config.AccountingConfig;
import dev.veil.server.config.TargetRef;

/**
 * Prices of provider models: {@code veil.prices} first (exact provider and model), then built-in list prices by model
 * name, matching dated snapshots by prefix ({@code gpt-4o-2024-08-06} costs what {@code gpt-4o} does). Unknown
 * models cost nothing: accounting must never refuse a request because a price is missing.
 *
 * <p>The built-in prices are the providers' public list prices for standard (non-batch, short-context) use as of
 * August 2025. They change; configure your own in {@code veil.prices} when they matter.
 */
public final class PriceTable {
    /** Dollars per million tokens: input, output, cached input (cache write and reasoning noted where different). */
    static final Map<String, Price> DEFAULTS = Map.ofEntries(
            // OpenAI
            Map.entry("gpt-4o", Price.of(2.50, 10.00, 1.25)),
            Map.entry("gpt-4o-mini", Price.of(0.15, 0.60, 0.075)),
            Map.entry("gpt-4.1", Price.of(2.00, 8.00, 0.50)),
            Map.entry("gpt-4.1-mini", Price.of(0.40, 1.60, 0.10)),
            Map.entry("gpt-4.1-nano", Price.of(0.10, 0.40, 0.025)),
            Map.entry("gpt-5", Price.of(1.25, 10.00, 0.125)),
            Map.entry("gpt-5-mini", Price.of(0.25, 2.00, 0.025)),
            Map.entry("gpt-5-nano", Price.of(0.05, 0.40, 0.005)),
            Map.entry("o3", Price.of(2.00, 8.00, 0.50)),
            Map.entry("o3-mini", Price.of(1.10, 4.40, 0.55)),
            Map.entry("o4-mini", Price.of(1.10, 4.40, 0.275)),
            Map.entry("text-embedding-3-small", Price.of(0.02, 0, 0.02)),
            Map.entry("text-embedding-3-large", Price.of(0.13, 0, 0.13)),
            // Anthropic: cache writes (5-minute) cost 1.25x input, cache reads 0.1x.
            Map.entry("claude-opus-4", new Price(15.00, 75.00, 1.50, 18.75, 75.00)),
            Map.entry("claude-sonnet-4", new Price(3.00, 15.00, 0.30, 3.75, 15.00)),
            Map.entry("claude-haiku-4", new Price(1.00, 5.00, 0.10, 1.25, 5.00)),
            Map.entry("claude-3-7-sonnet", new Price(3.00, 15.00, 0.30, 3.75, 15.00)),
            Map.entry("claude-3-5-haiku", new Price(0.80, 4.00, 0.08, 1.00, 4.00)),
            // Google Gemini (prompts up to 200k tokens)
            Map.entry("gemini-2.5-pro", Price.of(1.25, 10.00, 0.31)),
            Map.entry("gemini-2.5-flash", Price.of(0.30, 2.50, 0.075)),
            Map.entry("gemini-2.5-flash-lite", Price.of(0.10, 0.40, 0.025)),
            // Mistral
            Map.entry("mistral-large", Price.of(2.00, 6.00, 2.00)),
            Map.entry("mistral-medium", Price.of(0.40, 2.00, 0.40)),
            Map.entry("mistral-small", Price.of(0.10, 0.30, 0.10)),
            Map.entry("codestral", Price.of(0.30, 0.90, 0.30)),
            // DeepSeek (standard hours; cache hits at their own rate)
            Map.entry("deepseek-chat", Price.of(0.27, 1.10, 0.07)),
            Map.entry("deepseek-reasoner", Price.of(0.55, 2.19, 0.14)),
            // Groq-hosted open models
            Map.entry("llama-3.3-70b-versatile", Price.of(0.59, 0.79, 0.59)),
            Map.entry("llama-3.1-8b-instant", Price.of(0.05, 0.08, 0.05)),
            // xAI
            Map.entry("grok-4", Price.of(3.00, 15.00, 0.75)),
            Map.entry("grok-3-mini", Price.of(0.30, 0.50, 0.075)));

    private final Map<String, Price> configured = new HashMap<>();
    private final Map<String, Price> resolved = new ConcurrentHashMap<>();

    public PriceTable(List<AccountingConfig.PriceEntry> prices) {
        for (AccountingConfig.PriceEntry entry : prices) {
            configured.put(entry.provider() + "/" + entry.model(), new Price(entry.input(), entry.output(),
                    entry.cachedInput(), entry.cacheWrite(), entry.reasoning()));
        }
    }

    /** The price of {@code model} at {@code provider}; {@link Price#FREE} when neither config nor defaults know it. */
    public Price price(String provider, String model) {
        return resolved.computeIfAbsent(provider + "/" + model, name -> {
            Price exact = configured.get(name);
            return exact != null ? exact : defaultPrice(model).orElse(Price.FREE);
        });
    }

    /** The most expensive of {@code targets}, what a reservation must assume when failover may pick any of them. */
    public Price highest(List<TargetRef> targets) {
        Price highest = Price.FREE;
        for (TargetRef target : targets) {
            Price price = price(target.provider(), target.model());
            if (price.input() + price.output() > highest.input() + highest.output()) {
                highest = price;
            }
        }
        return highest;
    }

    static Optional<Price> defaultPrice(String model) {
        Price exact = DEFAULTS.get(model);
        if (exact != null) {
            return Optional.of(exact);
        }
        String best = null;
        for (String name : DEFAULTS.keySet()) {
            if (model.startsWith(name) && model.length() > name.length() && model.charAt(name.length()) == '-'
                    && (best == null || name.length() > best.length())) {
                best = name;
            }
        }
        return Optional.ofNullable(best).map(DEFAULTS::get);
    }
}
