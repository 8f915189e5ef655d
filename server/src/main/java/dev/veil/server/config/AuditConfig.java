package dev.veil.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The audit log's settings, from {@code veil.audit}. Present only when the operator asked for an audit log; every
 * field has been checked, but the key itself is read (and checked against the database) when the log opens.
 *
 * @param database the SQLite file, by default {@code <data-dir>/audit.db}
 * @param async whether requests complete without waiting for their record's commit
 * @param key where the key-encryption key comes from
 * @param rotate how long one data-key epoch lasts
 * @param checkpointRecords sign a checkpoint after this many records
 * @param checkpointInterval sign a checkpoint at least this often while records arrive
 * @param content whether the redacted prompt and answer are stored (never under zero retention)
 * @param maxContentBytes the longest prompt or answer stored; longer ones are cut, and marked so
 * @param commitTimeout how long a request waits for its record's commit before it is refused
 * @param fsync whether each sync-mode commit is flushed to the disk ({@code synchronous=FULL}), so a committed
 *              record also survives a power loss at once; without it (the default) a commit survives any crash of
 *              Veil's process (SIGKILL included), and a crash of the machine once the next WAL checkpoint (at most a
 *              second later) has flushed it
 */
public record AuditConfig(Path database, boolean async, KeySource key, Duration rotate, int checkpointRecords,
                          Duration checkpointInterval, boolean content, int maxContentBytes,
                          Duration commitTimeout,
                          boolean fsync) {
    public static final String DEFAULT_FILE = "audit.db";
    public static final Duration DEFAULT_ROTATE = Duration.ofHours(24);
    public static final int DEFAULT_CHECKPOINT_RECORDS = 1000;
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_CONTENT_BYTES = 64 * 1024;
    public static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Off by default: an fsync per group commit costs this disk's fsync latency on every request (milliseconds at p99
     * on cloud volumes), which the audit budget (0.5 ms p99) cannot hold; the WAL checkpoint flushes every second.
     */
    public static final boolean DEFAULT_FSYNC = false;

    public AuditConfig {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rotate, "rotate");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(commitTimeout, "commitTimeout");
    }

    /** Settings with the default flushing ({@link #DEFAULT_FSYNC}). */
    public AuditConfig(Path database, boolean async, KeySource key, Duration rotate, int checkpointRecords,
                       Duration checkpointInterval, boolean content, int maxContentBytes, Duration commitTimeout) {
        this(database, async, key, rotate, checkpointRecords, checkpointInterval, content, maxContentBytes,
                commitTimeout, DEFAULT_FSYNC);
    }

    /** Where the key-encryption key comes from; each names the config key it was set by, for error messages. */
    public sealed interface KeySource {
        /** The config key that chose this source, such as {@code veil.audit.key-file}. */
        String configKey();
    }

    /** A file holding the key as base64 (32 bytes once decoded). */
    public record KeyFile(Path path) implements KeySource {
        @Override
        public String configKey() {
            return "veil.audit.key-file";
        }
    }

    /** An environment variable holding the key as base64; its value was read when the config loaded. */
    public record KeyEnv(String variable, Secret value) implements KeySource {
        @Override
        public String configKey() {
            return "veil.audit.key-env";
        }
    }

    /** An environment variable holding a passphrase, stretched with Argon2id and a salt kept in the database. */
    public record PassphraseEnv(String variable, Secret value) implements KeySource {
        @Override
        public String configKey() {
            return "veil.audit.passphrase-env";
        }
    }
}
