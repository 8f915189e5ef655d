package dev.veil.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.veil.spi.plugin.PluginSettings;

/**
 * The conversation state Veil keeps for the Responses API ({@code previous_response_id}), from
 * {@code veil.responses}. Every setting has a default, so the section may be absent. The key that encrypts the state
 * on disk is the audit log's ({@code veil.audit}): without an audit log the state is kept in memory only.
 *
 * @param enabled whether Veil keeps conversation state at all
 * @param ttl how long a stored response stays readable and on disk
 * @param database the SQLite file, by default {@code <data-dir>/responses.db}
 * @param memoryTtl how long state kept in memory (zero-retention exchanges, or no audit key) stays readable
 * @param maxMemoryBytes how many bytes of responses memory holds at most; the least used go first
 * @param maxTurns the longest {@code previous_response_id} chain Veil follows
 * @param sweepInterval how often expired responses are deleted from disk
 * @param maxConversationBytes the most stored bytes one {@code previous_response_id} chain may replay: each turn is
 *                             bounded by {@code max-request-bytes}, but a long chain of large turns would be read
 *                             whole into memory for every request that continues it
 */
public record ResponsesConfig(boolean enabled, Duration ttl, Path database, Duration memoryTtl, long maxMemoryBytes,
                              int maxTurns, Duration sweepInterval, long maxConversationBytes) {
    public static final String DEFAULT_FILE = "responses.db";
    public static final Duration DEFAULT_TTL = Duration.ofDays(30);
    public static final Duration DEFAULT_MEMORY_TTL = Duration.ofHours(1);
    /** The most memory holds by default: 256 MiB, or an eighth of the heap when that is less. */
    public static final long DEFAULT_MAX_MEMORY_BYTES = Math.min(256L * 1024 * 1024,
            Runtime.getRuntime().maxMemory() / 8);
    public static final int DEFAULT_MAX_TURNS = 200;
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);
    public static final long DEFAULT_MAX_CONVERSATION_BYTES = 32L * 1024 * 1024;
    private static final long MAX_CONVERSATION_BYTES_LIMIT = 1024L * 1024 * 1024;
    /** Far above any real conversation, and a bound on the rows one request reads. */
    private static final int MAX_TURNS_LIMIT = 10_000;
    private static final long MIN_MEMORY_BYTES = 1024L * 1024;
    private static final Set<String> KEYS = Set.of("enabled", "ttl", "file", "memory-ttl", "max-memory-bytes",
            "max-turns", "sweep-interval", "max-conversation-bytes");

    public ResponsesConfig {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(memoryTtl, "memoryTtl");
        Objects.requireNonNull(sweepInterval, "sweepInterval");
    }

    /** Every default, with the file in {@code dataDir}. */
    public static ResponsesConfig defaults(Path dataDir) {
        return new ResponsesConfig(true, DEFAULT_TTL, dataDir.resolve(DEFAULT_FILE), DEFAULT_MEMORY_TTL,
                DEFAULT_MAX_MEMORY_BYTES, DEFAULT_MAX_TURNS, DEFAULT_SWEEP_INTERVAL, DEFAULT_MAX_CONVERSATION_BYTES);
    }

    /**
     * {@code veil.responses}, or every default when it is absent.
     *
     * @param dataDir where the file lives unless {@code file} says otherwise
     */
    static ResponsesConfig from(ConfigReader node, Path dataDir) {
        node.rejectUnknown(KEYS);
        Duration ttl = positive(node, "ttl", DEFAULT_TTL, "720h (30 days, the default) or P30D");
        Duration memoryTtl = positive(node, "memory-ttl", DEFAULT_MEMORY_TTL, "1h (the default) or 10m");
        Duration sweepInterval = positive(node, "sweep-interval", DEFAULT_SWEEP_INTERVAL, "1m (the default) or 30s");
        long maxMemoryBytes = node.size("max-memory-bytes").orElse(DEFAULT_MAX_MEMORY_BYTES);
        if (maxMemoryBytes < MIN_MEMORY_BYTES) {
            throw node.invalid("max-memory-bytes", "must be at least 1MiB; the default is 256MiB or an eighth of "
                    + "the heap, whichever is less");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (maxMemoryBytes > heap / 2) {
            throw node.invalid("max-memory-bytes", "is more than half of this JVM's heap (" + heap / (1024 * 1024)
                    + "MiB), which kept responses would exhaust; lower it, or give the JVM more heap (-Xmx)");
        }
        int maxTurns = node.integer("max-turns").orElse(DEFAULT_MAX_TURNS);
        if (maxTurns < 1 || maxTurns > MAX_TURNS_LIMIT) {
            throw node.invalid("max-turns", "must be between 1 and " + MAX_TURNS_LIMIT + ", got " + maxTurns
                    + "; the default is " + DEFAULT_MAX_TURNS);
        }
        long maxConversationBytes = node.size("max-conversation-bytes").orElse(DEFAULT_MAX_CONVERSATION_BYTES);
        if (maxConversationBytes < 1024 || maxConversationBytes > MAX_CONVERSATION_BYTES_LIMIT) {
            throw node.invalid("max-conversation-bytes", "must be between 1KiB and 1GiB; the default is 32MiB");
        }
        String file = node.string("file").orElse("");
        Path database = file.isBlank() ? dataDir.resolve(DEFAULT_FILE) : Path.of(file);
        return new ResponsesConfig(node.bool("enabled").orElse(true), ttl, database, memoryTtl, maxMemoryBytes,
                maxTurns, sweepInterval, maxConversationBytes);
    }

    /** A duration above zero; the config grammar has no day unit, so the example shows how to write days. */
    private static Duration positive(ConfigReader node, String setting, Duration fallback, String example) {
        Optional<String> text = node.string(setting);
        if (text.isEmpty()) {
            return fallback;
        }
        Duration duration = PluginSettings.parseDuration(text.get()).orElseThrow(() -> node.invalid(setting, "'"
                + text.get() + "' is not a duration; write for example " + example));
        if (duration.isNegative() || duration.isZero()) {
            throw node.invalid(setting, "must be above zero, got '" + text.get() + "'; write for example " + example);
        }
        return duration;
    }
}
