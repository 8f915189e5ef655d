package dev.veil.plugins.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.veil.spi.plugin.Target;

/**
 * One route's configuration, resolved once so that a request only reads arrays: each target's shared health, the
 * cumulative weights, the price table entries, and every list a request can be answered with when all targets are
 * healthy (config order, and for weighted routes one order per possible first target).
 */
final class RoutePlan {
    final Strategy strategy;
    final Sticky sticky;
    final Target[] targets;
    final TargetHealth[] health;
    /** Each target's price, null when it has none. */
    final Price[] prices;
    /** Running sums of the weights: target i is drawn for points in [cumulative[i-1], cumulative[i]). */
    final int[] cumulative;
    final int totalWeight;
    final List<Target> configOrder;
    /** For weighted routes, the order when target i is drawn first: i, then the others in config order. */
    final List<List<Target>> firstOrders;
    final int[][] firstIndexes;
    final List<Target> contextFallbacks;
    final TargetHealth[] fallbackHealth;
    final int retries;
    final Duration backoff;
    final Duration deadline;
    /** Spreads sticky callers over routes independently, so a caller is not first on the same position everywhere. */
    final long salt;

    /**
     * @param name the model name or Veil's targets, which decorrelates sticky draws between routes
     * @param weights one per target; all 1 for strategies that ignore them
     */
    RoutePlan(String name, Strategy strategy, Sticky sticky, List<Target> targets, List<Integer> weights,
              List<Target> contextFallbacks, int retries, Duration backoff, Duration deadline,
              Function<Target, TargetHealth> healthOf, Function<Target, Price> priceOf) {
        this.strategy = strategy;
        this.sticky = sticky;
        this.targets = targets.toArray(Target[]::new);
        int size = this.targets.length;
        this.health = new TargetHealth[size];
        this.prices = new Price[size];
        this.cumulative = new int[size];
        int total = 0;
        for (int i = 0; i < size; i++) {
            health[i] = healthOf.apply(this.targets[i]);
            prices[i] = priceOf.apply(this.targets[i]);
            total += weights.get(i);
            cumulative[i] = total;
        }
        this.totalWeight = total;
        this.configOrder = List.copyOf(targets);
        List<List<Target>> orders = new ArrayList<>(size);
        this.firstIndexes = new int[size][];
        for (int first = 0; first < size; first++) {
            int[] indexes = new int[size];
            indexes[0] = first;
            for (int i = 0, next = 1; i < size; i++) {
                if (i != first) {
                    indexes[next++] = i;
                }
            }
            firstIndexes[first] = indexes;
            List<Target> order = new ArrayList<>(size);
            for (int index : indexes) {
                order.add(this.targets[index]);
            }
            orders.add(List.copyOf(order));
        }
        this.firstOrders = List.copyOf(orders);
        this.contextFallbacks = List.copyOf(contextFallbacks);
        this.fallbackHealth = new TargetHealth[contextFallbacks.size()];
        for (int i = 0; i < fallbackHealth.length; i++) {
            fallbackHealth[i] = healthOf.apply(contextFallbacks.get(i));
        }
        this.retries = retries;
        this.backoff = backoff;
        this.deadline = deadline;
        this.salt = name.hashCode() * 0x9E3779B97F4A7C15L;
    }

    int size() {
        return targets.length;
    }

    /** The target a draw point in [0, totalWeight) falls on. */
    int targetAt(int point) {
        for (int i = 0; i < cumulative.length; i++) {
            if (point < cumulative[i]) {
                return i;
            }
        }
        return cumulative.length - 1;
    }
}
