package dev.veil.plugins.routing;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ContentPart;
import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.AttemptPhase;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.Route;
import dev.veil.spi.plugin.Target;

/**
 * Builds each request's {@link Route} in the request phase and learns from every attempt. A model with a route of
 * its own in the plugin's settings gets that route; any other model keeps the targets Veil resolved, ordered by the
 * default strategy. Either way targets whose circuit is open or that a 429 asked to rest are left out, unless that
 * would leave nothing.
 *
 * <p>The decision reads precomputed arrays and a few atomics; when every target is healthy and the strategy needs no
 * per-request sorting, the route's target list is a precomputed one and the {@link Route} is the only allocation.
 */
final class RoutingPlugin implements RequestPhase, AttemptPhase {
    /**
     * How many distinct targets and server routes the plugin tracks. Clients can name {@code provider/model} freely;
     * beyond this many the extra ones are routed without memory rather than grow the heap.
     */
    static final int MAX_TRACKED = 4096;

    /** Output tokens assumed by {@code lowest-cost} when the client set no limit: a typical chat answer. */
    static final int DEFAULT_OUTPUT_TOKENS = 512;

    private static final int CHARS_PER_TOKEN = 4;

    private final Map<String, RoutePlan> routes;
    private final Strategy defaultStrategy;
    private final int retries;
    private final Duration backoff;
    private final Duration deadline;
    private final Map<Target, Price> prices;
    private final Breaker breaker;
    private final Duration probeLease;
    private final System.Logger logger;
    private final LongSupplier clock;
    private final Supplier<RandomGenerator> random;
    private final ConcurrentHashMap<Target, TargetHealth> health = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<List<Target>, RoutePlan> serverPlans = new ConcurrentHashMap<>();

    RoutingPlugin(RoutingSettings settings, System.Logger logger, LongSupplier clock,
                  Supplier<RandomGenerator> random) {
        this.defaultStrategy = settings.strategy();
        this.retries = settings.retries();
        this.backoff = settings.backoff();
        this.deadline = settings.deadline();
        this.prices = Map.copyOf(settings.prices());
        this.breaker = settings.breaker();
        this.probeLease = settings.longestDeadline();
        this.logger = logger;
        this.clock = clock;
        this.random = random;
        Map<String, RoutePlan> plans = new HashMap<>();
        for (RoutingSettings.RouteSettings route : settings.routes()) {
            plans.put(route.model(), new RoutePlan(route.model(), route.strategy(), route.sticky(), route.targets(),
                    route.weights(), route.contextFallbacks(), route.retries(), route.backoff(), route.deadline(),
                    this::healthOrUntracked, this.prices::get));
        }
        this.routes = Map.copyOf(plans);
    }

    /** Each tracked target's breaker state (see {@link TargetHealth#breakerState}), for the metrics gauge. */
    Map<Map<String, String>, Long> breakerStates() {
        long now = clock.getAsLong();
        Map<Map<String, String>, Long> states = new HashMap<>();
        health.forEach((target, state) -> states.put(Map.of("target", target.toString()), state.breakerState(now)));
        return states;
    }

    @Override
    public ChatRequest onRequest(ChatRequest request, Exchange exchange) {
        RoutePlan plan = routes.get(request.model());
        if (plan != null) {
            long now = clock.getAsLong();
            exchange.put(Attributes.ROUTE, Route.builder(targets(plan, request, exchange, now))
                    .contextFallbacks(healthyFallbacks(plan, now)).retries(plan.retries).backoff(plan.backoff)
                    .deadline(plan.deadline).build());
            return request;
        }
        Optional<Route> resolved = exchange.get(Attributes.ROUTE);
        if (resolved.isPresent()) {
            Route server = resolved.get();
            RoutePlan serverPlan = serverPlan(server.targets());
            exchange.put(Attributes.ROUTE, Route.builder(targets(serverPlan, request, exchange, clock.getAsLong()))
                    .contextFallbacks(server.contextFallbacks()).retries(retries).backoff(backoff).deadline(deadline)
                    .build());
        }
        return request;
    }

    @Override
    public void onAttempt(Attempt attempt, Exchange exchange) {
        TargetHealth target = healthOf(attempt.target());
        if (target != null) {
            target.record(attempt, exchange.streaming(), clock.getAsLong());
        }
    }

    /** One request's targets: strategy order, then health. */
    private List<Target> targets(RoutePlan plan, ChatRequest request, Exchange exchange, long now) {
        int[] order;
        List<Target> ordered;
        switch (plan.strategy) {
            case ORDERED -> {
                order = plan.firstIndexes[0];
                ordered = plan.configOrder;
            }
            case WEIGHTED -> {
                int first = plan.targetAt(drawPoint(plan, request, exchange));
                order = plan.firstIndexes[first];
                ordered = plan.firstOrders.get(first);
            }
            case LEAST_LATENCY -> {
                order = byLatency(plan, exchange.streaming(), now);
                ordered = null;
            }
            default -> {
                order = byCost(plan, request);
                ordered = null;
            }
        }
        return healthy(plan, order, ordered, now);
    }

    /**
     * Where a weighted draw lands in [0, total weight): from a stable hash of the caller for sticky routes, so the
     * same caller starts at the same target on every replica and after restarts; at random otherwise.
     */
    private int drawPoint(RoutePlan plan, ChatRequest request, Exchange exchange) {
        String key = switch (plan.sticky) {
            case NONE -> null;
            case KEY -> exchange.caller().keyId();
            case USER -> request.user().isPresent() ? request.user().get() : exchange.caller().keyId();
        };
        if (key == null) {
            return random.get().nextInt(plan.totalWeight);
        }
        long hash = mix(key.hashCode() ^ plan.salt);
        return (int) (((hash >>> 32) * plan.totalWeight) >>> 32);
    }

    /** The finalizer of SplitMix64: spreads similar keys ({@code k_1}, {@code k_2}) over the whole range. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Unmeasured targets and at most one due for re-measuring first, then the fastest estimate. */
    private static int[] byLatency(RoutePlan plan, boolean streaming, long now) {
        double[] keys = new double[plan.size()];
        boolean remeasuring = false;
        for (int i = 0; i < keys.length; i++) {
            double estimate = plan.health[i].latencyNanos(streaming);
            if (Double.isNaN(estimate)) {
                keys[i] = Double.NEGATIVE_INFINITY;
            } else if (!remeasuring && plan.health[i].claimRemeasure(now, streaming)) {
                keys[i] = Double.NEGATIVE_INFINITY;
                remeasuring = true;
            } else {
                keys[i] = estimate;
            }
        }
        return sortedBy(keys);
    }

    /**
     * Cheapest expected cost first: the prompt's tokens estimated from its text (about four characters a token) at
     * the input price plus the client's output limit, or {@link #DEFAULT_OUTPUT_TOKENS}, at the output price. So a
     * long prompt favours cheap input and a short one cheap output. Targets without a price go last.
     */
    private static int[] byCost(RoutePlan plan, ChatRequest request) {
        long inputTokens = estimateInputTokens(request);
        long outputTokens = request.sampling().outputTokenLimit().orElse(DEFAULT_OUTPUT_TOKENS);
        double[] keys = new double[plan.size()];
        for (int i = 0; i < keys.length; i++) {
            Price price = plan.prices[i];
            keys[i] = price == null ? Double.POSITIVE_INFINITY : price.cost(inputTokens, outputTokens);
        }
        return sortedBy(keys);
    }

    static long estimateInputTokens(ChatRequest request) {
        long chars = 0;
        for (ChatMessage message : request.messages()) {
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.Text text) {
                    chars += text.text().length();
                }
            }
        }
        return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    /** Indexes in ascending key order, ties in config order (an insertion sort: routes have a handful of targets). */
    private static int[] sortedBy(double[] keys) {
        int[] order = new int[keys.length];
        for (int i = 0; i < order.length; i++) {
            int j = i;
            while (j > 0 && keys[order[j - 1]] > keys[i]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        return order;
    }

    /**
     * The targets of {@code order} the breakers and rests let through, a half-open one claimed as this request's
     * probe first. When none is let through, all of them, soonest available first: trying beats failing untried, and
     * dispatch's backoff covers the wait.
     */
    private static List<Target> healthy(RoutePlan plan, int[] order, List<Target> ordered, long now) {
        int size = order.length;
        Target[] kept = null;
        int count = 0;
        int probe = -1;
        for (int position = 0; position < size; position++) {
            int index = order[position];
            TargetHealth.Admission admission = plan.health[index].admit(now, probe < 0);
            if (admission == TargetHealth.Admission.AVAILABLE && kept == null) {
                continue;
            }
            if (kept == null) {
                kept = new Target[size];
                for (int earlier = 0; earlier < position; earlier++) {
                    kept[count++] = plan.targets[order[earlier]];
                }
            }
            if (admission == TargetHealth.Admission.PROBE) {
                probe = index;
            } else if (admission == TargetHealth.Admission.AVAILABLE) {
                kept[count++] = plan.targets[index];
            }
        }
        if (kept == null) {
            return ordered != null ? ordered : targetsIn(plan, order);
        }
        if (probe >= 0) {
            System.arraycopy(kept, 0, kept, 1, count);
            kept[0] = plan.targets[probe];
            count++;
        }
        if (count == 0) {
            return soonestAvailableFirst(plan, order, now);
        }
        return List.of(Arrays.copyOf(kept, count));
    }

    private static List<Target> targetsIn(RoutePlan plan, int[] order) {
        Target[] targets = new Target[order.length];
        for (int i = 0; i < order.length; i++) {
            targets[i] = plan.targets[order[i]];
        }
        return List.of(targets);
    }

    private static List<Target> soonestAvailableFirst(RoutePlan plan, int[] order, long now) {
        double[] keys = new double[order.length];
        for (int position = 0; position < order.length; position++) {
            keys[position] = plan.health[order[position]].blockedUntil(now) - now;
        }
        int[] positions = sortedBy(keys);
        Target[] targets = new Target[order.length];
        for (int i = 0; i < positions.length; i++) {
            targets[i] = plan.targets[order[positions[i]]];
        }
        return List.of(targets);
    }

    /** The context fallbacks the breakers let through, never probing; all of them when none is. */
    private static List<Target> healthyFallbacks(RoutePlan plan, long now) {
        List<Target> fallbacks = plan.contextFallbacks;
        int available = 0;
        for (TargetHealth target : plan.fallbackHealth) {
            if (target.admit(now, false) == TargetHealth.Admission.AVAILABLE) {
                available++;
            }
        }
        if (available == fallbacks.size() || available == 0) {
            return fallbacks;
        }
        Target[] kept = new Target[available];
        int count = 0;
        for (TargetHealth target : plan.fallbackHealth) {
            if (count < available && target.admit(now, false) == TargetHealth.Admission.AVAILABLE) {
                kept[count++] = target.target();
            }
        }
        return List.of(Arrays.copyOf(kept, count));
    }

    /** The plan for a model only Veil resolved: its targets under the default strategy and settings. */
    private RoutePlan serverPlan(List<Target> targets) {
        RoutePlan plan = serverPlans.get(targets);
        if (plan != null) {
            return plan;
        }
        plan = new RoutePlan(targets.toString(), defaultStrategy, Sticky.NONE, targets,
                Collections.nCopies(targets.size(), 1), List.of(), retries, backoff, deadline,
                this::healthOrUntracked, prices::get);
        if (serverPlans.size() < MAX_TRACKED) {
            RoutePlan raced = serverPlans.putIfAbsent(targets, plan);
            if (raced != null) {
                return raced;
            }
        }
        return plan;
    }

    /** The shared health of a target; null once {@link #MAX_TRACKED} targets are tracked and this is not one. */
    private TargetHealth healthOf(Target target) {
        TargetHealth known = health.get(target);
        if (known != null || health.size() >= MAX_TRACKED) {
            return known;
        }
        return health.computeIfAbsent(target, key -> new TargetHealth(key, breaker, probeLease, logger,
                clock.getAsLong()));
    }

    /** A target's shared health, or a private one that learns nothing others see when too many are tracked. */
    private TargetHealth healthOrUntracked(Target target) {
        TargetHealth known = healthOf(target);
        return known != null ? known : new TargetHealth(target, breaker, probeLease, logger, clock.getAsLong());
    }
}
