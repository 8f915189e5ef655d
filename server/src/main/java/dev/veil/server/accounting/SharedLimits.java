package dev.veil.server.accounting;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import dev.veil.server.config.ConfigException;
import dev.veil.server.config.SharedLimitsConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.XTrimParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The rate windows and budget reservations every replica shares, in Redis: admission checks and reserves in one
 * script (one round trip, atomic), settlement swaps the estimates for the actual usage and appends the spend to a
 * stream the replicas move into the database ({@link SpendStream}). Windows slide on Redis's clock, so replicas whose
 * clocks differ still count one window. A reservation carries a lease: a replica that dies before settling cannot
 * hold budget for longer than that.
 *
 * <p>Every failure to reach Redis is a {@link Unreachable}; the caller decides, by {@code fail-mode}, whether the
 * request is refused or limited locally.
 */
final class SharedLimits implements AutoCloseable {
    static final String SPEND_STREAM = "veil:spend";
    private static final Logger LOGGER = Logger.getLogger(SharedLimits.class.getName());

    /** Redis could not be reached, or did not answer in time. */
    static final class Unreachable extends RuntimeException {
        Unreachable(JedisException cause) {
            super("Redis (veil.limits.shared) is unreachable: " + cause.getClass().getSimpleName(), null, false,
                    false);
        }
    }

    /**
     * One budget to reserve in.
     *
     * @param scopeId the budget's scope
     * @param periodStart the first day of its period, part of the Redis key so that a new period starts empty
     * @param limitMicros its hard cap, 0 for none
     * @param estimateMicros what this request reserves
     * @param keepSeconds how long Redis keeps the budget's state: past the end of its period
     */
    record Budget(String scopeId, String periodStart, long limitMicros, long estimateMicros, long keepSeconds) {
        String key() {
            return "veil:budget:" + scopeId + ":" + periodStart;
        }

        String leases() {
            return key() + ":leases";
        }
    }

    /**
     * A sliding one-minute rate window in Redis: a key's, or a user's.
     *
     * @param name its Redis key, the request log; the tokens in it are at {@code <name>:tokens}
     * @param rpm requests per minute, 0 for no limit
     * @param tpm tokens per minute, 0 for no limit
     */
    record Window(String name, long rpm, long tpm) {
        static Window key(String keyId, long rpm, long tpm) {
            return new Window("veil:rate:" + keyId, rpm, tpm);
        }

        /** The window of a user scope ({@link BudgetScope#userId}); a caller without a user passes one unlimited. */
        static Window user(String userScope, long rpm, long tpm) {
            return new Window("veil:rate:" + userScope, rpm, tpm);
        }

        String tokens() {
            return name + ":tokens";
        }
    }

    /**
     * What admission found.
     *
     * @param refused {@code requests} or {@code tokens} when the key's window refused, {@code user-requests} or
     *                {@code user-tokens} when the user's did, {@code budget} when a budget did, else null
     * @param budgetIndex the refusing budget's index in the request's list
     * @param spentMicros that budget's spend
     * @param remainingRequests requests left in the key's window after this one, -1 without a limit
     * @param remainingTokens tokens left in the key's window after this one's estimate, -1 without a limit
     * @param resetMillis until the oldest request of the key's window leaves it (of the user's, when it refused)
     * @param userRemainingRequests requests left in the user's window after this one, -1 without a limit
     * @param userRemainingTokens tokens left in the user's window after this one's estimate, -1 without a limit
     * @param userResetMillis until the oldest request of the user's window leaves it
     */
    record Admission(String refused, int budgetIndex, long spentMicros, long remainingRequests, long remainingTokens,
                     long resetMillis, long userRemainingRequests, long userRemainingTokens, long userResetMillis) {
    }

    /** Reads the spend a budget has in the database, when Redis holds none for it (a new period, a Redis restart). */
    @FunctionalInterface
    interface SpendReader {
        long spent(Budget budget);
    }

    private final RedisClient redis;
    private final String admitScript;
    private final String settleScript;
    private volatile String admitSha;
    private volatile String settleSha;
    private final long leaseMillis;

    private SharedLimits(RedisClient redis, long leaseMillis) {
        this.redis = redis;
        this.leaseMillis = leaseMillis;
        this.admitScript = script("admit.lua");
        this.settleScript = script("settle.lua");
    }

    /** Connects and loads the scripts; a Redis that cannot be reached or refuses the password stops startup. */
    static SharedLimits open(SharedLimitsConfig config) {
        int timeout = (int) config.timeout().toMillis();
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder().clientName("veil")
                .connectionTimeoutMillis(timeout).socketTimeoutMillis(timeout).database(config.database())
                .ssl(config.tls());
        config.password().ifPresent(password -> client.password(password.reveal()));
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(config.poolSize());
        pool.setMaxIdle(config.poolSize());
        pool.setMinIdle(0);
        pool.setMaxWait(config.timeout());
        pool.setTestOnBorrow(false);
        pool.setJmxEnabled(false);
        RedisClient redis = RedisClient.builder().hostAndPort(config.url().getHost(), config.url().getPort())
                .clientConfig(client.build()).poolConfig(pool).build();
        SharedLimits limits = new SharedLimits(redis, config.lease().toMillis());
        try {
            limits.loadScripts();
        } catch (JedisException e) {
            redis.close();
            String reason = e.getMessage() != null && e.getMessage().contains("NOAUTH")
                    || e.getMessage() != null && e.getMessage().contains("WRONGPASS")
                    ? "refused the password; check veil.limits.shared.password"
                    : "cannot be reached (" + e.getClass().getSimpleName() + "); check that it runs and accepts "
                    + "connections from Veil";
            throw new ConfigException("veil.limits.shared.url", "Redis at " + config.location() + " " + reason);
        }
        LOGGER.info(() -> "shared limits: rate windows and budget reservations in Redis at " + config.location()
                + ", fail-mode " + config.failMode().name().toLowerCase() + ", leases of "
                + config.lease().toSeconds() + "s");
        return limits;
    }

    private void loadScripts() {
        admitSha = redis.scriptLoad(admitScript);
        settleSha = redis.scriptLoad(settleScript);
    }

    /**
     * Admits a request estimated at {@code tokens} in the windows of its key and its user, reserving in every budget;
     * all or nothing.
     */
    Admission admit(String reservation, Window key, Window user, long tokens, List<Budget> budgets,
                    SpendReader spend) {
        long[] known = new long[budgets.size()];
        Arrays.fill(known, -1);
        while (true) {
            List<String> keys = new ArrayList<>(4 + 2 * budgets.size());
            keys.add(key.name());
            keys.add(key.tokens());
            keys.add(user.name());
            keys.add(user.tokens());
            List<String> args = new ArrayList<>(8 + 4 * budgets.size());
            args.add(reservation);
            args.add(Long.toString(key.rpm()));
            args.add(Long.toString(key.tpm()));
            args.add(Long.toString(tokens));
            args.add(Long.toString(leaseMillis));
            args.add(Integer.toString(budgets.size()));
            args.add(Long.toString(user.rpm()));
            args.add(Long.toString(user.tpm()));
            for (int i = 0; i < budgets.size(); i++) {
                Budget budget = budgets.get(i);
                keys.add(budget.key());
                keys.add(budget.leases());
                args.add(Long.toString(budget.limitMicros()));
                args.add(Long.toString(budget.estimateMicros()));
                args.add(Long.toString(known[i]));
                args.add(Long.toString(budget.keepSeconds()));
            }
            List<?> result = (List<?>) run(true, keys, args);
            String status = (String) result.get(0);
            switch (status) {
                case "init" -> {
                    int index = number(result.get(1)).intValue() - 1;
                    known[index] = spend.spent(budgets.get(index));
                }
                case "ok" -> {
                    return new Admission(null, -1, 0, number(result.get(1)), number(result.get(2)),
                            number(result.get(3)), number(result.get(4)), number(result.get(5)),
                            number(result.get(6)));
                }
                case "budget" -> {
                    return new Admission(status, number(result.get(1)).intValue() - 1, number(result.get(2)), 0, 0,
                            0, 0, 0, 0);
                }
                default -> {
                    return new Admission(status, -1, 0, 0, 0, number(result.get(1)), 0, 0, number(result.get(1)));
                }
            }
        }
    }

    /**
     * Settles a reservation: the windows of its key and user get {@code actualTokens} for the estimate, each budget
     * its actual cost for its estimate, and {@code entry} (the ledger's fields) joins the spend stream. Returns each
     * budget's spend after, -1 where Redis no longer holds the budget.
     */
    long[] settle(String reservation, Window key, Window user, long estimatedTokens, long actualTokens,
                  List<Budget> budgets, long actualMicros, Map<String, String> entry) {
        List<String> keys = new ArrayList<>(6 + 2 * budgets.size());
        keys.add(key.name());
        keys.add(key.tokens());
        keys.add(SPEND_STREAM);
        keys.add("veil:settled:" + reservation);
        keys.add(user.name());
        keys.add(user.tokens());
        List<String> args = new ArrayList<>(4 + 2 * budgets.size() + 2 * entry.size());
        args.add(reservation);
        args.add(Long.toString(estimatedTokens));
        args.add(Long.toString(actualTokens));
        args.add(Integer.toString(budgets.size()));
        for (Budget budget : budgets) {
            keys.add(budget.key());
            keys.add(budget.leases());
            args.add(Long.toString(budget.estimateMicros()));
            args.add(Long.toString(actualMicros));
        }
        entry.forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
        List<?> result = (List<?>) run(false, keys, args);
        long[] spent = new long[budgets.size()];
        for (int i = 0; i < spent.length; i++) {
            spent[i] = result.size() > i + 1 ? number(result.get(i + 1)) : -1;
        }
        return spent;
    }

    /** A budget's spend and reservations in Redis, empty when Redis holds none for its period. */
    Optional<long[]> status(String scopeId, String periodStart) {
        try {
            List<String> values = redis.hmget(new Budget(scopeId, periodStart, 0, 0, 0).key(), "spent", "reserved");
            if (values.get(0) == null) {
                return Optional.empty();
            }
            return Optional.of(new long[] {Long.parseLong(values.get(0)), Long.parseLong(values.get(1))});
        } catch (JedisException e) {
            throw new Unreachable(e);
        }
    }

    /** Up to {@code count} spend entries after {@code after} (exclusive), oldest first. */
    List<StreamEntry> spendAfter(String after, int count) {
        try {
            return redis.xrange(SPEND_STREAM, "(" + after, "+", count);
        } catch (JedisException e) {
            throw new Unreachable(e);
        }
    }

    /** Drops spend entries before {@code id}: the database holds them. */
    void trimSpendBefore(StreamEntryID id) {
        try {
            redis.xtrim(SPEND_STREAM, XTrimParams.xTrimParams().minId(id.toString()));
        } catch (JedisException e) {
            throw new Unreachable(e);
        }
    }

    /**
     * Runs a script, once more on a new connection when the pooled one turns out broken (Redis restarted, a proxy
     * dropped it): both scripts recognise a reservation they already handled, so a retry never counts twice.
     */
    private Object run(boolean admit, List<String> keys, List<String> args) {
        try {
            try {
                return evaluate(admit, keys, args);
            } catch (JedisConnectionException e) {
                // After a restart of Redis every idle connection is broken, not just the one that failed.
                redis.getPool().clear();
                return evaluate(admit, keys, args);
            }
        } catch (JedisException e) {
            throw new Unreachable(e);
        }
    }

    private Object evaluate(boolean admit, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(admit ? admitSha : settleSha, keys, args);
        } catch (JedisNoScriptException e) {
            // Redis restarted (or was flushed) since the scripts were loaded.
            loadScripts();
            return redis.evalsha(admit ? admitSha : settleSha, keys, args);
        }
    }

    private static Long number(Object value) {
        return (Long) value;
    }

    private static String script(String name) {
        try (InputStream in = SharedLimits.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the script " + name + " is missing from Veil's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("the script " + name + " cannot be read from Veil's jar", e);
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
