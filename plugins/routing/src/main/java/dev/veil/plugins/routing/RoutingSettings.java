package dev.veil.plugins.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.ProviderInfo;
import dev.veil.spi.plugin.Target;

/**
 * The {@code routing} entry's settings, validated: every problem fails startup with a message naming the key.
 *
 * @param strategy the strategy for models without a route of their own
 * @param retries further rounds after all targets failed, for models without a route of their own
 * @param backoff the base of the jittered exponential backoff between rounds
 * @param deadline the longest one request's dispatch may take
 * @param breaker when a target's circuit opens
 * @param prices per million tokens, for {@code lowest-cost}
 * @param routes the models with routes of their own
 */
record RoutingSettings(Strategy strategy, int retries, Duration backoff, Duration deadline, Breaker breaker,
                       Map<Target, Price> prices, List<RouteSettings> routes) {
    static final Set<String> KEYS = Set.of("strategy", "retries", "backoff", "deadline", "breaker", "prices",
            "routes");
    static final Set<String> ROUTE_KEYS = Set.of("strategy", "sticky", "targets", "context-fallbacks", "retries",
            "backoff", "deadline");
    static final int DEFAULT_RETRIES = 1;
    static final int MAX_RETRIES = 10;
    static final Duration DEFAULT_BACKOFF = Duration.ofMillis(250);
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

    /**
     * One model's own route.
     *
     * @param model the model name clients send
     * @param weights one per target; 1 each unless the strategy is {@code weighted}
     */
    record RouteSettings(String model, Strategy strategy, Sticky sticky, List<Target> targets, List<Integer> weights,
                         List<Target> contextFallbacks, int retries, Duration backoff, Duration deadline) {
    }

    /** The longest deadline of any route: how long a probe may hold a half-open target without an outcome. */
    Duration longestDeadline() {
        Duration longest = deadline;
        for (RouteSettings route : routes) {
            if (route.deadline().compareTo(longest) > 0) {
                longest = route.deadline();
            }
        }
        return longest;
    }

    static RoutingSettings parse(PluginSettings settings, List<ProviderInfo> providers) {
        settings.rejectUnknown(KEYS);
        Set<String> providerNames = new TreeSet<>();
        providers.forEach(provider -> providerNames.add(provider.name()));
        Strategy strategy = strategy(settings).orElse(Strategy.ORDERED);
        int retries = retries(settings, DEFAULT_RETRIES);
        Duration backoff = settings.duration("backoff", DEFAULT_BACKOFF);
        Duration deadline = settings.duration("deadline", DEFAULT_DEADLINE);
        checkTiming(settings, backoff, deadline);
        Breaker breaker = breaker(settings);
        Map<Target, Price> prices = prices(settings, providerNames);
        List<RouteSettings> routes = new ArrayList<>();
        settings.section("routes").ifPresent(section -> {
            for (String model : section.keys()) {
                PluginSettings route = section.section(model).orElseThrow();
                routes.add(route(model, route, strategy, retries, backoff, deadline, providerNames, prices));
            }
        });
        return new RoutingSettings(strategy, retries, backoff, deadline, breaker, prices, List.copyOf(routes));
    }

    private static RouteSettings route(String model, PluginSettings route, Strategy defaultStrategy,
                                       int defaultRetries, Duration defaultBackoff, Duration defaultDeadline,
                                       Set<String> providers, Map<Target, Price> prices) {
        route.rejectUnknown(ROUTE_KEYS);
        Strategy strategy = strategy(route).orElse(defaultStrategy);
        Sticky sticky = route.string("sticky").map(text -> Sticky.parse(text).orElseThrow(() -> route.invalid(
                "sticky", "'" + text + "' is not a stickiness; write none, key or user"))).orElse(Sticky.NONE);
        if (sticky != Sticky.NONE && strategy != Strategy.WEIGHTED) {
            throw route.invalid("sticky", "applies to weighted routes only; this route is "
                    + strategyName(strategy));
        }
        List<PluginSettings> entries = route.sections("targets");
        if (entries.isEmpty()) {
            throw route.invalid("targets", "is required; list {target: provider/model} entries in order of "
                    + "preference");
        }
        List<Target> targets = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (PluginSettings entry : entries) {
            entry.rejectUnknown(Set.of("target", "weight"));
            Target target = target(entry, "target", entry.requiredString("target"), providers);
            if (targets.contains(target)) {
                throw entry.invalid("target", "'" + target + "' is listed twice in this route");
            }
            targets.add(target);
            weights.add(weight(entry, strategy));
        }
        if (strategy == Strategy.WEIGHTED && weights.stream().mapToInt(Integer::intValue).sum() == 0) {
            throw route.invalid("targets", "a weighted route needs at least one target with a weight above 0");
        }
        if (strategy == Strategy.LOWEST_COST && targets.stream().noneMatch(prices::containsKey)) {
            throw route.invalid("strategy", "lowest-cost needs prices; none of this route's targets has one "
                    + "under prices");
        }
        List<Target> fallbacks = new ArrayList<>();
        for (String text : route.strings("context-fallbacks")) {
            Target fallback = target(route, "context-fallbacks", text, providers);
            if (!fallbacks.contains(fallback)) {
                fallbacks.add(fallback);
            }
        }
        int retries = retries(route, defaultRetries);
        Duration backoff = route.duration("backoff", defaultBackoff);
        Duration deadline = route.duration("deadline", defaultDeadline);
        checkTiming(route, backoff, deadline);
        return new RouteSettings(model, strategy, sticky, List.copyOf(targets), List.copyOf(weights),
                List.copyOf(fallbacks), retries, backoff, deadline);
    }

    private static int weight(PluginSettings entry, Strategy strategy) {
        if (entry.string("weight").isEmpty()) {
            return 1;
        }
        if (strategy != Strategy.WEIGHTED) {
            throw entry.invalid("weight", "applies to weighted routes only; set strategy: weighted on the route");
        }
        long weight = entry.integer("weight", 1);
        if (weight < 0 || weight > 1_000_000) {
            throw entry.invalid("weight", "must be between 0 and 1000000, got " + weight);
        }
        return (int) weight;
    }

    private static Optional<Strategy> strategy(PluginSettings settings) {
        return settings.string("strategy").map(text -> Strategy.parse(text).orElseThrow(() -> settings.invalid(
                "strategy", "'" + text + "' is not a strategy; write " + Strategy.NAMES)));
    }

    private static String strategyName(Strategy strategy) {
        return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static int retries(PluginSettings settings, int fallback) {
        long retries = settings.integer("retries", fallback);
        if (retries < 0 || retries > MAX_RETRIES) {
            throw settings.invalid("retries", "must be between 0 and " + MAX_RETRIES + ", got " + retries);
        }
        return (int) retries;
    }

    private static void checkTiming(PluginSettings settings, Duration backoff, Duration deadline) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw settings.invalid("deadline", "must be longer than 0");
        }
        if (backoff.isNegative()) {
            throw settings.invalid("backoff", "must not be negative");
        }
        if (backoff.compareTo(deadline) >= 0) {
            throw settings.invalid("backoff", "must be shorter than the deadline (" + deadline
                    + "), or no retry could ever happen");
        }
    }

    private static Breaker breaker(PluginSettings settings) {
        Optional<PluginSettings> section = settings.section("breaker");
        if (section.isEmpty()) {
            return Breaker.DEFAULT;
        }
        PluginSettings breaker = section.get();
        breaker.rejectUnknown(Set.of("failures", "window", "cooldown"));
        long failures = breaker.integer("failures", Breaker.DEFAULT.failures());
        if (failures < 0 || failures > 10_000) {
            throw breaker.invalid("failures", "must be between 0 (no breaker) and 10000, got " + failures);
        }
        Duration window = breaker.duration("window", Breaker.DEFAULT.window());
        if (window.isNegative() || window.isZero()) {
            throw breaker.invalid("window", "must be longer than 0");
        }
        Duration cooldown = breaker.duration("cooldown", Breaker.DEFAULT.cooldown());
        if (cooldown.isNegative() || cooldown.isZero()) {
            throw breaker.invalid("cooldown", "must be longer than 0");
        }
        return new Breaker((int) failures, window, cooldown);
    }

    private static Map<Target, Price> prices(PluginSettings settings, Set<String> providers) {
        Map<Target, Price> prices = new LinkedHashMap<>();
        settings.section("prices").ifPresent(section -> {
            for (String name : section.keys()) {
                Target target = target(section, name, name, providers);
                PluginSettings price = section.section(name).orElseThrow();
                price.rejectUnknown(Set.of("input", "output"));
                prices.put(target, new Price(amount(price, "input"), amount(price, "output")));
            }
        });
        return prices;
    }

    private static double amount(PluginSettings price, String name) {
        String text = price.requiredString(name);
        double amount;
        try {
            amount = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw price.invalid(name, "must be a number (per million tokens), got '" + text + "'");
        }
        if (!Double.isFinite(amount) || amount < 0) {
            throw price.invalid(name, "must be a number of 0 or more (per million tokens), got '" + text + "'");
        }
        return amount;
    }

    private static Target target(PluginSettings settings, String name, String text, Set<String> providers) {
        Target target;
        try {
            target = Target.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw settings.invalid(name, "'" + text + "' is not provider/model, for example openai/gpt-4o");
        }
        if (!providers.isEmpty() && !providers.contains(target.provider())) {
            throw settings.invalid(name, "'" + target + "' names provider '" + target.provider()
                    + "', which is not configured; configured providers: " + String.join(", ", providers));
        }
        return target;
    }
}
