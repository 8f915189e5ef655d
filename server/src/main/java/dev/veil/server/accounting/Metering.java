package dev.veil.server.accounting;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Logger;

import dev.veil.server.config.AccountingConfig;
import dev.veil.server.config.AuthConfig;
import dev.veil.server.config.SharedLimitsConfig;
import dev.veil.server.core.Ticker;
import dev.veil.server.telemetry.ThrottledLog;
import dev.veil.server.config.TargetRef;
import dev.veil.server.core.ChatStream;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;
import dev.veil.spi.plugin.Outcome;

/**
 * Where virtual keys meet the request path: allowed models, rate limits and budget reservations before dispatch, and
 * cost, spend and budget settlement after it. Everything on the request path is in memory; the store (SQLite or
 * PostgreSQL) is written by the background spend writer and by admin calls only.
 */
public final class Metering implements AutoCloseable {
    /** Sets a response header; the request path hands in its response, benchmarks a no-op. */
    @FunctionalInterface
    public interface HeaderSink {
        void set(String name, String value);
    }

    public static final String COST_HEADER = "x-veil-cost";
    private static final Logger LOGGER = Logger.getLogger(Metering.class.getName());
    /** How often keys and budgets are read again from a shared store, besides the changes announced. */
    static final Duration RELOAD_INTERVAL = Duration.ofSeconds(30);
    /** Days Redis keeps a budget's state after its period ends, for requests settling late. */
    private static final long KEEP_AFTER_PERIOD = 2 * 86_400;
    /** How long an admin report waits for settlements in flight, so that it includes every request answered. */
    private static final Duration SETTLED_WAIT = Duration.ofSeconds(5);

    private final AccountingStore store;
    private final Keys keys;
    private final Budgets budgets;
    private final UserWindows userWindows;
    private final SpendLedger ledger;
    private final PriceTable prices;
    private final Function<String, Optional<List<TargetRef>>> resolver;
    private final long reserveOutputTokens;
    private final InstantSource clock;
    private final Shared shared;

    /**
     * What replicas share beyond the store, when {@code veil.limits.shared} is set: the limits in Redis, the mover
     * of settled spend, and the listener for other replicas' key and budget changes.
     */
    private record Shared(SharedLimits limits, SpendStream spend, Settlements settlements,
                          SharedLimitsConfig.FailMode failMode, ThrottledLog outage) implements AutoCloseable {
        @Override
        public void close() {
            settlements.close();
            spend.close();
            limits.close();
        }
    }

    private final AutoCloseable listener;

    private Metering(AccountingStore store, AccountingConfig config, Function<String, Optional<List<TargetRef>>> resolver,
                     InstantSource clock) {
        this.store = store;
        this.clock = clock;
        this.keys = new Keys(store, clock);
        AlertSender alerts = new AlertSender(store, config.alertWebhook(), config.alertTimeout(), clock);
        this.budgets = new Budgets(store, clock, alerts::softThresholdReached);
        this.userWindows = new UserWindows();
        this.ledger = new SpendLedger(store, config.flushInterval(), clock);
        this.prices = new PriceTable(config.prices());
        this.resolver = resolver;
        this.reserveOutputTokens = config.reserveOutputTokens();
        this.listener = store instanceof PostgresStore postgres
                ? postgres.listen(this::reload, RELOAD_INTERVAL) : () -> { };
        this.shared = config.sharedLimits().map(settings -> {
            SharedLimits limits = SharedLimits.open(settings);
            return new Shared(limits, new SpendStream(limits, (PostgresStore) store, config.flushInterval()),
                    new Settlements(), settings.failMode(), new ThrottledLog(LOGGER, Ticker.system()));
        }).orElse(null);
    }

    private void reload(String what) {
        if (what.equals("keys")) {
            keys.reload();
        } else {
            budgets.reload();
        }
    }

    private Metering(Metering shared, AccountingConfig config, Function<String, Optional<List<TargetRef>>> resolver) {
        this.store = shared.store;
        this.clock = shared.clock;
        this.keys = shared.keys;
        this.budgets = shared.budgets;
        this.userWindows = shared.userWindows;
        this.ledger = shared.ledger;
        this.prices = new PriceTable(config.prices());
        this.resolver = resolver;
        this.reserveOutputTokens = config.reserveOutputTokens();
        this.shared = shared.shared;
        this.listener = () -> { };
    }

    /**
     * The same keys, budgets, rate windows and spend, priced by {@code config}'s prices and resolving models through
     * {@code resolver}: what a config reload gives requests that start after it. Only this instance's
     * {@link #close} closes the store; the returned one must not be closed.
     */
    public Metering reconfigured(AccountingConfig config, Function<String, Optional<List<TargetRef>>> resolver) {
        return new Metering(this, config, resolver);
    }

    /**
     * Opens the store {@code veil.store} names and loads keys and budgets, on the system clock.
     *
     * @param resolver the candidates a model name resolves to, for allowed-model checks and cost estimates
     */
    public static Metering open(java.nio.file.Path dataDir, AccountingConfig config,
                                Function<String, Optional<List<TargetRef>>> resolver) {
        return open(dataDir, config, resolver, InstantSource.system());
    }

    /**
     * Opens the store {@code veil.store} names ({@code keys.db} under {@code dataDir} by default) and loads keys and
     * budgets.
     *
     * @param resolver the candidates a model name resolves to, for allowed-model checks and cost estimates
     * @param clock what rate windows, budget periods, key expiry, spend days and stored timestamps read
     */
    public static Metering open(java.nio.file.Path dataDir, AccountingConfig config,
                                Function<String, Optional<List<TargetRef>>> resolver, InstantSource clock) {
        AccountingStore store = switch (config.store().kind()) {
            case SQLITE -> KeyStore.open(dataDir, clock);
            case POSTGRES -> PostgresStore.open(config.store().postgres().orElseThrow(), clock);
        };
        try {
            return new Metering(store, config, resolver, clock);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public Keys keys() {
        return keys;
    }

    public PriceTable prices() {
        return prices;
    }

    /** {@link #admit(Caller, AuthConfig.UserLimits, String, long, OptionalInt, HeaderSink)} without user limits. */
    public Ticket admit(Caller caller, String model, long inputCharacters, OptionalInt maxTokens,
                        HeaderSink headers) {
        return admit(caller, AuthConfig.UserLimits.NONE, model, inputCharacters, maxTokens, headers);
    }

    /**
     * Checks the caller's allowed models and rate limits (its key's, and its user's {@code userLimits}) and reserves
     * an estimated cost in every budget that applies (key, team, user, tenant); a refusal is a 403 or a 429 with
     * {@code Retry-After}. The returned ticket must be settled whatever happens next.
     *
     * @param userLimits the rate limits of the caller's user, counted per tenant and user; ignored for a caller
     *                   without a user
     */
    public Ticket admit(Caller caller, AuthConfig.UserLimits userLimits, String model, long inputCharacters,
                        OptionalInt maxTokens, HeaderSink headers) {
        long now = clock.millis();
        Keys.Active key = caller.keyId().equals("master") ? null : keys.active(caller.keyId()).orElse(null);
        Optional<List<TargetRef>> targets = resolver.apply(model);
        if (key != null && !allowed(key, model, targets)) {
            throw new VeilException(ErrorKind.PERMISSION_DENIED, "This API key may not use model '" + model
                    + "'; it may use: " + String.join(", ", key.key().models())).withCode("model_not_allowed");
        }
        long inputTokens = (inputCharacters + 3) / 4 + 16;
        long outputTokens = maxTokens.isPresent() ? maxTokens.getAsInt() : reserveOutputTokens;
        long estimate = targets.map(prices::highest).orElse(Price.FREE).estimateMicros(inputTokens, outputTokens);
        String userScope = caller.user().map(user -> BudgetScope.userId(caller.tenant(), user)).orElse(null);
        AuthConfig.UserLimits perUser = userScope == null ? AuthConfig.UserLimits.NONE : userLimits;
        List<Budgets.State> covering = List.of();
        for (String scope : new String[] {"key:" + caller.keyId(), "team:" + caller.tenant() + "/" + caller.team(),
                userScope, "tenant:" + caller.tenant()}) {
            if (scope == null) {
                continue;
            }
            Budgets.State state = budgets.current(scope, now);
            if (state == null && budgets.blocked(scope)) {
                throw unreadableBudget();
            }
            if (state != null) {
                if (covering.isEmpty()) {
                    covering = new ArrayList<>(4);
                }
                covering.add(state);
            }
        }
        long tokens = inputTokens + outputTokens;
        if (shared != null) {
            boolean limited = key != null && key.window().limited() || perUser.limited() || !covering.isEmpty();
            try {
                return admitShared(caller, model, key, userScope, perUser, inputTokens, tokens, estimate, covering,
                        limited, now, headers);
            } catch (SharedLimits.Unreachable e) {
                if (shared.failMode() == SharedLimitsConfig.FailMode.CLOSED) {
                    shared.outage().warning("admit", () -> "requests of keys and users with limits or budgets are "
                            + "refused with 503 limits_unavailable: " + e.getMessage()
                            + " (veil.limits.shared.fail-mode: closed)");
                    throw limitsUnavailable();
                }
                shared.outage().warning("admit", () -> "requests are limited by this replica alone until Redis is "
                        + "back: " + e.getMessage() + " (veil.limits.shared.fail-mode: open)");
            }
        }
        RateWindow.Admission admission = null;
        if (key != null && key.window().limited()) {
            admission = key.window().admit(now, tokens);
            rateHeaders(key.window().requestsPerMinute, key.window().tokensPerMinute, admission.remainingRequests(),
                    admission.remainingTokens(), admission.resetMillis(), headers);
            if (admission.refused() != null) {
                throw rateLimited(key, admission.refused(), admission.resetMillis());
            }
        }
        RateWindow.Admission userAdmission = null;
        RateWindow userWindow = perUser.limited() ? userWindows.window(userScope, perUser) : null;
        if (userWindow != null) {
            userAdmission = userWindow.admit(now, tokens);
            if (admission == null || userAdmission.refused() != null) {
                rateHeaders(userWindow.requestsPerMinute, userWindow.tokensPerMinute,
                        userAdmission.remainingRequests(), userAdmission.remainingTokens(),
                        userAdmission.resetMillis(), headers);
            }
            if (userAdmission.refused() != null) {
                if (admission != null) {
                    key.window().refund(admission, tokens);
                }
                throw userRateLimited(caller, perUser, userAdmission.refused(), userAdmission.resetMillis());
            }
        }
        for (int i = 0; i < covering.size(); i++) {
            Budgets.State state = covering.get(i);
            if (!state.reserve(estimate)) {
                for (Budgets.State taken : covering.subList(0, i)) {
                    budgets.settle(taken, estimate, 0);
                }
                if (admission != null) {
                    key.window().refund(admission, tokens);
                }
                if (userAdmission != null) {
                    userWindow.refund(userAdmission, tokens);
                }
                throw exhausted(state.spec, state.spent.get(), state.periodEndMillis, now);
            }
        }
        return new Ticket(caller, model, inputTokens, tokens, estimate, covering, admission, userAdmission, null);
    }

    /**
     * Admits through the shared limits: rate windows and every budget in one Redis round trip. A request with
     * nothing to limit skips Redis here, but still settles through it, so that its spend survives this replica.
     */
    private Ticket admitShared(Caller caller, String model, Keys.Active key, String userScope,
                               AuthConfig.UserLimits perUser, long inputTokens, long tokens, long estimate,
                               List<Budgets.State> covering, boolean limited, long now, HeaderSink headers) {
        String reservation = HexFormat.of().formatHex(reservationBytes());
        List<SharedLimits.Budget> reserved = new ArrayList<>(covering.size());
        for (Budgets.State state : covering) {
            reserved.add(new SharedLimits.Budget(state.spec.scope().id(), state.periodStart.toString(),
                    state.spec.limitMicros(), estimate, (state.periodEndMillis - now) / 1000 + KEEP_AFTER_PERIOD));
        }
        long rpm = key == null ? 0 : key.window().requestsPerMinute;
        long tpm = key == null ? 0 : key.window().tokensPerMinute;
        SharedLimits.Window keyWindow = SharedLimits.Window.key(caller.keyId(), rpm, tpm);
        SharedLimits.Window userWindow = SharedLimits.Window.user(userScope == null
                ? BudgetScope.userId(caller.tenant(), "") : userScope, perUser.requestsPerMinute(),
                perUser.tokensPerMinute());
        Ticket ticket = new Ticket(caller, model, inputTokens, tokens, estimate, covering, null, null,
                new SharedTicket(reservation, keyWindow, userWindow, reserved));
        if (!limited) {
            return ticket;
        }
        SharedLimits.Admission admission = shared.limits().admit(reservation, keyWindow, userWindow, tokens,
                reserved, budget -> {
                    Budgets.State state = covering.get(reserved.indexOf(budget));
                    return store.spentSince(state.spec.scope(), state.periodStart);
                });
        String refused = admission.refused() == null ? "" : admission.refused();
        if (rpm > 0 || tpm > 0) {
            rateHeaders(rpm, tpm, refused.equals("requests") ? 0 : admission.remainingRequests(),
                    refused.equals("tokens") ? 0 : admission.remainingTokens(), admission.resetMillis(), headers);
        }
        if (perUser.limited() && (rpm == 0 && tpm == 0 || refused.startsWith("user-"))) {
            rateHeaders(perUser.requestsPerMinute(), perUser.tokensPerMinute(),
                    refused.equals("user-requests") ? 0 : admission.userRemainingRequests(),
                    refused.equals("user-tokens") ? 0 : admission.userRemainingTokens(), admission.userResetMillis(),
                    headers);
        }
        if (admission.refused() == null) {
            return ticket;
        }
        if (refused.equals("budget")) {
            Budgets.State state = covering.get(admission.budgetIndex());
            throw exhausted(state.spec, admission.spentMicros(), state.periodEndMillis, now);
        }
        if (refused.startsWith("user-")) {
            throw userRateLimited(caller, perUser, refused, admission.userResetMillis());
        }
        throw rateLimited(key, refused, admission.resetMillis());
    }

    private static byte[] reservationBytes() {
        byte[] bytes = new byte[12];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static VeilException rateLimited(Keys.Active key, String refused, long resetMillis) {
        long seconds = Math.max(1, (resetMillis + 999) / 1000);
        boolean requests = refused.equals("requests");
        return new VeilException(ErrorKind.RATE_LIMITED, "Rate limit reached for this API key: "
                + (requests ? key.window().requestsPerMinute + " requests"
                        : key.window().tokensPerMinute + " tokens") + " per minute; retry in " + seconds + "s")
                .withCode("rate_limit_exceeded").withRetryAfter(seconds);
    }

    /** The 429 of a user's window; it names the tenant and user id (what usage shows), never the token. */
    private static VeilException userRateLimited(Caller caller, AuthConfig.UserLimits limits, String refused,
                                                 long resetMillis) {
        long seconds = Math.max(1, (resetMillis + 999) / 1000);
        boolean requests = refused.endsWith("requests");
        return new VeilException(ErrorKind.RATE_LIMITED, "Rate limit reached for user '" + caller.user().orElseThrow()
                + "' of tenant '" + caller.tenant() + "': " + (requests ? limits.requestsPerMinute() + " requests"
                : limits.tokensPerMinute() + " tokens") + " per minute per user; retry in " + seconds + "s")
                .withCode("rate_limit_exceeded").withRetryAfter(seconds);
    }

    private static VeilException limitsUnavailable() {
        return new VeilException(ErrorKind.UNAVAILABLE, "Veil cannot reach the rate limits and budgets its replicas "
                + "share, and this caller has limits or budgets, so the request is refused; retry shortly")
                .withCode("limits_unavailable").withRetryAfter(1);
    }

    /**
     * Whether {@code caller} may use {@code model}, by the same rule admission applies: the master key and keys
     * without a model list may use every model.
     */
    public boolean mayUse(Caller caller, String model) {
        if (caller.keyId().equals("master")) {
            return true;
        }
        Optional<Keys.Active> key = keys.active(caller.keyId());
        return key.isPresent() && allowed(key.get(), model, resolver.apply(model));
    }

    private static boolean allowed(Keys.Active key, String model, Optional<List<TargetRef>> targets) {
        if (key.allows(model)) {
            return true;
        }
        if (targets.isEmpty()) {
            return false;
        }
        for (TargetRef target : targets.get()) {
            if (!key.allows(target.provider() + "/" + target.model())) {
                return false;
            }
        }
        return true;
    }

    private static void rateHeaders(long rpm, long tpm, long remainingRequests, long remainingTokens, long resetMillis,
                                    HeaderSink headers) {
        String reset = Math.max(1, (resetMillis + 999) / 1000) + "s";
        if (rpm > 0) {
            headers.set("x-ratelimit-limit-requests", Long.toString(rpm));
            headers.set("x-ratelimit-remaining-requests", Long.toString(Math.max(0, remainingRequests)));
            headers.set("x-ratelimit-reset-requests", reset);
        }
        if (tpm > 0) {
            headers.set("x-ratelimit-limit-tokens", Long.toString(tpm));
            headers.set("x-ratelimit-remaining-tokens", Long.toString(Math.max(0, remainingTokens)));
            headers.set("x-ratelimit-reset-tokens", reset);
        }
    }

    private static VeilException unreadableBudget() {
        return new VeilException(ErrorKind.UNAVAILABLE, "A budget that covers this request could not be read from "
                + "Veil's key store, so the request is refused; an administrator must set the budget again")
                .withCode("budget_unavailable");
    }

    private static VeilException exhausted(BudgetSpec spec, long spentMicros, long periodEndMillis, long now) {
        long seconds = Math.max(1, (periodEndMillis - now + 999) / 1000);
        return new VeilException(ErrorKind.RATE_LIMITED, "Budget exhausted for " + spec.scope().describe() + ": $"
                + Money.format(spentMicros) + " spent of $" + Money.format(spec.limitMicros()) + " per "
                + spec.period() + "; it resets at " + Instant.ofEpochMilli(periodEndMillis))
                .withCode("budget_exceeded").withRetryAfter(seconds);
    }

    /**
     * One admitted request's reservations, settled once when it ends: the actual cost replaces the estimate in
     * every budget, the token estimate is corrected in the rate window, and the spend goes to the ledger.
     */
    public final class Ticket {
        private final Caller caller;
        private final String model;
        private final long inputTokens;
        private final long estimatedTokens;
        private final long estimateMicros;
        private final List<Budgets.State> reserved;
        private final RateWindow.Admission admission;
        private final RateWindow.Admission userAdmission;
        private final SharedTicket shared;
        private final AtomicBoolean settled = new AtomicBoolean();
        private MeteredStream stream;
        private Optional<TargetRef> streamTarget = Optional.empty();

        private Ticket(Caller caller, String model, long inputTokens, long estimatedTokens, long estimateMicros,
                       List<Budgets.State> reserved, RateWindow.Admission admission,
                       RateWindow.Admission userAdmission, SharedTicket shared) {
            this.caller = caller;
            this.model = model;
            this.inputTokens = inputTokens;
            this.estimatedTokens = estimatedTokens;
            this.estimateMicros = estimateMicros;
            this.reserved = reserved;
            this.admission = admission;
            this.userAdmission = userAdmission;
            this.shared = shared;
        }

        /**
         * {@code source}, counting the text it relays, to estimate usage if the stream ends without any.
         *
         * @param target the provider model streaming, unless a plugin answers
         */
        public ChatStream meter(ChatStream source, Optional<TargetRef> target) {
            stream = new MeteredStream(source);
            streamTarget = target;
            return stream;
        }

        /** What an answer cost in micro-dollars at the configured prices: 0 without usage or provider. */
        public long costMicros(Outcome outcome) {
            if (outcome.usage().isEmpty() || outcome.provider().isEmpty()) {
                return 0;
            }
            return cost(outcome.provider().get(), outcome.model().orElse(""), outcome.usage().get());
        }

        private long cost(String provider, String model, Usage usage) {
            return prices.price(provider, model).costMicros(usage);
        }

        /** Sets {@code x-veil-cost} (US dollars) for a complete answer with known usage. */
        public void costHeader(Optional<Usage> usage, Optional<TargetRef> target, HeaderSink headers) {
            if (usage.isPresent()) {
                long cost = target.map(t -> cost(t.provider(), t.model(), usage.get())).orElse(0L);
                headers.set(COST_HEADER, Money.format(cost));
            }
        }

        /**
         * Settles the request as {@code outcome} says (empty when it ended without one, such as an unexpected
         * failure). A stream that ended without usage (the client went away, the upstream broke) is charged an
         * estimate: the input estimate plus a token per four characters relayed.
         */
        public void settle(Optional<Outcome> outcome) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            Optional<String> provider = outcome.flatMap(Outcome::provider)
                    .or(() -> streamTarget.map(TargetRef::provider));
            Optional<String> answeredBy = outcome.flatMap(Outcome::model).or(() -> streamTarget.map(TargetRef::model));
            Optional<Usage> usage = outcome.flatMap(Outcome::usage);
            if (usage.isEmpty() && provider.isPresent() && stream != null) {
                usage = Optional.of(Usage.of(inputTokens, (stream.characters() + 3) / 4));
            }
            long cost = 0;
            if (usage.isPresent() && provider.isPresent()) {
                cost = cost(provider.get(), answeredBy.orElse(""), usage.get());
            }
            String modelName = provider.map(p -> p + "/" + answeredBy.orElse("")).orElse(model);
            SpendLedger.Row row = new SpendLedger.Row(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC),
                    caller.keyId(), caller.tenant(), caller.team(), caller.user().orElse(""), modelName);
            Usage used = usage.orElse(Usage.of(0, 0));
            if (shared != null) {
                long charged = cost;
                Metering.this.shared.settlements().submit(() -> {
                    if (!settleShared(row, used, charged)) {
                        ledger.add(row, used, charged);
                    }
                });
                return;
            }
            for (Budgets.State state : reserved) {
                budgets.settle(state, estimateMicros, cost);
            }
            if (admission != null) {
                admission.window().tokens.addAndGet(used.totalTokens() - estimatedTokens);
            }
            if (userAdmission != null) {
                userAdmission.window().tokens.addAndGet(used.totalTokens() - estimatedTokens);
            }
            ledger.add(row, used, cost);
        }

        /**
         * Settles in Redis; false when Redis cannot be reached, and the spend goes to this replica's ledger instead
         * (the budgets Redis holds miss it, and its reservations end with their lease).
         */
        private boolean settleShared(SpendLedger.Row row, Usage usage, long cost) {
            try {
                long[] spent = Metering.this.shared.limits().settle(shared.reservation(), shared.keyWindow(),
                        shared.userWindow(), estimatedTokens, usage.totalTokens(), shared.budgets(), cost,
                        SpendStream.entry(row, usage, cost));
                for (int i = 0; i < spent.length; i++) {
                    if (spent[i] >= 0) {
                        budgets.observed(reserved.get(i), spent[i]);
                    }
                }
                return true;
            } catch (SharedLimits.Unreachable e) {
                Metering.this.shared.outage().warning("settle", () -> "a settlement is recorded by this replica alone: "
                        + e.getMessage());
                return false;
            }
        }
    }

    /**
     * A ticket's part in the shared limits.
     *
     * @param reservation its reservation id in Redis
     * @param keyWindow the rate window of its key
     * @param userWindow the rate window of its user
     * @param budgets the budgets it reserved in
     */
    private record SharedTicket(String reservation, SharedLimits.Window keyWindow, SharedLimits.Window userWindow,
                                List<SharedLimits.Budget> budgets) {
    }

    // Admin operations ------------------------------------------------------------------------------------------

    /** Sets a budget (a 400 when a value is out of {@link ValueBounds}); spend in its current period counts. */
    public BudgetSpec putBudget(BudgetSpec spec) {
        ValueBounds.problem(spec).ifPresent(problem -> {
            throw VeilException.invalidParam(problem.field(), problem.text());
        });
        if (spec.scope().kind().equals("team")) {
            store.ensureTeam(spec.scope().tenant(), spec.scope().team());
        } else if (spec.scope().kind().equals("tenant") || spec.scope().kind().equals("user")) {
            store.ensureTenant(spec.scope().tenant());
        }
        return budgets.put(spec, ledger::flush);
    }

    public boolean removeBudget(BudgetScope scope) {
        return budgets.remove(scope);
    }

    /**
     * A budget with what has been spent in its current period.
     *
     * @param spec the budget
     * @param periodStart the first day of the current period
     * @param spentMicros the actual spend in the period
     * @param committedMicros the spend plus the reservations of requests in flight
     */
    public record BudgetStatus(BudgetSpec spec, LocalDate periodStart, long spentMicros, long committedMicros) {
    }

    /** Every budget; with shared limits, as Redis counts it across replicas (this replica's view if unreachable). */
    public List<BudgetStatus> budgets() {
        if (shared != null) {
            shared.settlements().await(SETTLED_WAIT);
        }
        List<BudgetStatus> all = new ArrayList<>();
        for (Budgets.State s : budgets.all()) {
            Optional<long[]> counted = Optional.empty();
            if (shared != null) {
                try {
                    counted = shared.limits().status(s.spec.scope().id(), s.periodStart.toString());
                } catch (SharedLimits.Unreachable e) {
                    counted = Optional.empty();
                }
            }
            all.add(counted.map(c -> new BudgetStatus(s.spec, s.periodStart, c[0], c[0] + c[1]))
                    .orElseGet(() -> new BudgetStatus(s.spec, s.periodStart, s.spent.get(), s.committed.get())));
        }
        return all;
    }

    public void ensureTenant(String tenant) {
        store.ensureTenant(tenant);
    }

    public void ensureTeam(String tenant, String team) {
        store.ensureTeam(tenant, team);
    }

    public List<String> tenants() {
        return store.tenants();
    }

    /** Teams as {tenant, name} pairs. */
    public List<String[]> teams() {
        return store.teams();
    }

    /**
     * One row of recorded spend.
     *
     * @param day the UTC day
     * @param keyId the key ({@code master} for the master key)
     * @param tenant its tenant
     * @param team its team
     * @param user the user behind a token ({@code ""} for a key, which names none)
     * @param model {@code provider/model} that answered, or the requested model when none did
     * @param requests requests settled
     * @param promptTokens input tokens, cached included
     * @param completionTokens output tokens, reasoning included
     * @param cachedTokens input tokens read from a prompt cache
     * @param reasoningTokens reasoning tokens
     * @param costMicros cost in micro-dollars
     */
    public record UsageRow(LocalDate day, String keyId, String tenant, String team, String user, String model,
                           long requests, long promptTokens, long completionTokens, long cachedTokens,
                           long reasoningTokens, long costMicros) {
    }

    /** Recorded spend matching the filters (empty: any), written out first so that it includes the last second. */
    public List<UsageRow> usage(Optional<String> tenant, Optional<String> team, Optional<String> keyId,
                                Optional<String> user, Optional<String> model, Optional<LocalDate> from,
                                Optional<LocalDate> to) {
        if (shared != null) {
            shared.settlements().await(SETTLED_WAIT);
        }
        ledger.flush();
        if (shared != null) {
            try {
                shared.spend().move();
            } catch (SharedLimits.Unreachable e) {
                shared.outage().warning("usage", () -> "usage is reported without the spend still in Redis: "
                        + e.getMessage());
            }
        }
        return store.usage(new AccountingStore.UsageFilter(tenant, team, keyId, user, model, from, to)).stream()
                .map(d -> new UsageRow(d.day(), d.keyId(), d.tenant(), d.team(), d.user(), d.model(), d.requests(),
                        d.promptTokens(), d.completionTokens(), d.cachedTokens(), d.reasoningTokens(), d.costMicros()))
                .toList();
    }

    /** Writes pending spend and closes the store. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (shared != null) {
            shared.close();
        }
        ledger.close();
        store.close();
    }
}
