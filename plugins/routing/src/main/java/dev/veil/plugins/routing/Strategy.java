package dev.veil.plugins.routing;

import java.util.Locale;
import java.util.Optional;

/** How a route orders its targets before health filtering. */
enum Strategy {
    /** Config order. */
    ORDERED,
    /** The first target drawn by weight, the rest in config order. */
    WEIGHTED,
    /** Fastest observed first; targets not yet measured before all others, so that each gets measured. */
    LEAST_LATENCY,
    /** Cheapest expected cost first; targets without a price last. */
    LOWEST_COST;

    static final String NAMES = "ordered, weighted, least-latency or lowest-cost";

    static Optional<Strategy> parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "ordered" -> Optional.of(ORDERED);
            case "weighted" -> Optional.of(WEIGHTED);
            case "least-latency" -> Optional.of(LEAST_LATENCY);
            case "lowest-cost" -> Optional.of(LOWEST_COST);
            default -> Optional.empty();
        };
    }
}
