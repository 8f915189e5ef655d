package dev.veil.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

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
 * @param nodeId the node id written into every record, from {@code veil.node-id} (see {@link NodeId})
 * @param export the sinks records are streamed to, from {@code veil.audit.export}
 */
public record AuditConfig(Path database, boolean async, KeySource key, Duration rotate, int checkpointRecords,
                          Duration checkpointInterval, boolean content, int maxContentBytes,
                          Duration commitTimeout,
                          boolean fsync,
                          String nodeId,
                          AuditExportConfig export) {
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
    private static final Set<String> KEYS = Set.of("mode", "file", "key-file", "key-env", "passphrase-env", "rotate",
            "checkpoint", "content", "max-content-bytes", "commit-timeout", "fsync", "export");
    private static final Set<String> CHECKPOINT_KEYS = Set.of("records", "interval");

    public AuditConfig {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rotate, "rotate");
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(commitTimeout, "commitTimeout");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(export, "export");
        if (!NodeId.valid(nodeId)) {
            throw new IllegalArgumentException("not a node id: " + nodeId);
        }
    }

    /**
     * {@code veil.audit}, when there is one. A key named by an environment variable is read now, so that a missing one
     * stops startup with the others.
     *
     * @param dataDir where the log lives unless {@code file} says otherwise
     * @param veil the {@code veil} section, for the default node id when {@code nodeId} is empty
     * @param nodeId {@code veil.node-id}, when set
     */
    static Optional<AuditConfig> from(ConfigReader node, Path dataDir, ConfigReader veil, Optional<String> nodeId) {
        if (!node.exists()) {
            return Optional.empty();
        }
        node.rejectUnknown(KEYS);
        String mode = node.string("mode").orElse("sync");
        if (!mode.equals("sync") && !mode.equals("async")) {
            throw node.invalid("mode", "must be sync (a response completes only once its record is committed) or "
                    + "async (faster; a crash may lose the last records), got '" + mode + "'");
        }
        KeySource key = keySource(node);
        Duration rotate = node.duration("rotate").orElse(DEFAULT_ROTATE);
        if (rotate.compareTo(Duration.ofMinutes(1)) < 0) {
            throw node.invalid("rotate", "must be at least 1m; data keys rotate once per epoch");
        }
        ConfigReader checkpoint = node.get("checkpoint").rejectUnknown(CHECKPOINT_KEYS);
        int checkpointRecords = checkpoint.integer("records").orElse(DEFAULT_CHECKPOINT_RECORDS);
        if (checkpointRecords < 1) {
            throw checkpoint.invalid("records", "must be at least 1");
        }
        Duration checkpointInterval = checkpoint.duration("interval").orElse(DEFAULT_CHECKPOINT_INTERVAL);
        if (checkpointInterval.isZero() || checkpointInterval.isNegative()) {
            throw checkpoint.invalid("interval", "must be positive, for example 10s");
        }
        long maxContent = node.size("max-content-bytes").orElse((long) DEFAULT_MAX_CONTENT_BYTES);
        if (maxContent < 0 || maxContent > 16L * 1024 * 1024) {
            throw node.invalid("max-content-bytes", "must be between 0 and 16MiB");
        }
        Duration commitTimeout = node.duration("commit-timeout").orElse(DEFAULT_COMMIT_TIMEOUT);
        Path database = node.string("file").map(Path::of).orElse(dataDir.resolve(DEFAULT_FILE));
        return Optional.of(new AuditConfig(database, mode.equals("async"), key, rotate, checkpointRecords,
                checkpointInterval, node.bool("content").orElse(true), (int) maxContent, commitTimeout,
                node.bool("fsync").orElse(DEFAULT_FSYNC), nodeId.orElseGet(() -> NodeId.ofThisHost(veil)),
                AuditExportConfig.from(node)));
    }

    private static KeySource keySource(ConfigReader node) {
        Optional<String> keyFile = node.string("key-file");
        Optional<String> keyEnv = node.string("key-env");
        Optional<String> passphraseEnv = node.string("passphrase-env");
        long sources = Stream.of(keyFile, keyEnv, passphraseEnv).filter(Optional::isPresent).count();
        if (sources != 1) {
            throw node.invalid((sources == 0 ? "no key source" : "more than one key source") + "; set exactly one "
                    + "of key-file (a file with a base64 32-byte key), key-env (an environment variable holding one) "
                    + "or passphrase-env (an environment variable holding a passphrase)");
        }
        if (keyFile.isPresent()) {
            return new KeyFile(Path.of(keyFile.get()));
        }
        if (keyEnv.isPresent()) {
            return new KeyEnv(keyEnv.get(), variable(node, "key-env", keyEnv.get()));
        }
        return new PassphraseEnv(passphraseEnv.get(), variable(node, "passphrase-env", passphraseEnv.get()));
    }

    private static Secret variable(ConfigReader node, String setting, String variable) {
        return node.environmentVariable(variable).filter(value -> !value.isBlank()).map(value -> new Secret(
                value.trim())).orElseThrow(() -> node.invalid(setting, "environment variable " + variable + " is not "
                + "set; export it, or point veil.audit.key-file at a key file"));
    }

    /** Settings without audit export. */
    public AuditConfig(Path database, boolean async, KeySource key, Duration rotate, int checkpointRecords,
                       Duration checkpointInterval, boolean content, int maxContentBytes, Duration commitTimeout,
                       boolean fsync, String nodeId) {
        this(database, async, key, rotate, checkpointRecords, checkpointInterval, content, maxContentBytes,
                commitTimeout, fsync, nodeId, AuditExportConfig.NONE);
    }

    /** Settings with the default flushing ({@link #DEFAULT_FSYNC}) and node id ({@link NodeId#ofThisHost}). */
    public AuditConfig(Path database, boolean async, KeySource key, Duration rotate, int checkpointRecords,
                       Duration checkpointInterval, boolean content, int maxContentBytes, Duration commitTimeout) {
        this(database, async, key, rotate, checkpointRecords, checkpointInterval, content, maxContentBytes,
                commitTimeout, DEFAULT_FSYNC);
    }

    /** Settings with the default node id ({@link NodeId#ofThisHost}: HOSTNAME, else the host name). */
    public AuditConfig(Path database, boolean async, KeySource key, Duration rotate, int checkpointRecords,
                       Duration checkpointInterval, boolean content, int maxContentBytes, Duration commitTimeout,
                       boolean fsync) {
        this(database, async, key, rotate, checkpointRecords, checkpointInterval, content, maxContentBytes,
                commitTimeout, fsync, NodeId.ofThisHost(System::getenv));
    }

    /** These settings for another file: the CLI reads several replicas' logs with one config's key. */
    public AuditConfig withDatabase(Path file) {
        return new AuditConfig(file, async, key, rotate, checkpointRecords, checkpointInterval, content,
                maxContentBytes, commitTimeout, fsync, nodeId, export);
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
