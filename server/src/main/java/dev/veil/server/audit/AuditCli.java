package dev.veil.server.audit;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.VeilConfig;

/**
 * {@code veil audit verify|export|rotate-key [--config FILE]}: the security team's view of the audit log, on the
 * same config as {@code veil run}. Exit codes: 0 ok, 1 the log failed verification or could not be read (the first
 * bad sequence number is named), 2 a usage or config mistake.
 */
public final class AuditCli {
    private static final String USAGE = """
            usage: veil audit verify [--from N] [--config FILE]
                   veil audit export [--from N] [--to M] [--config FILE]   (JSON lines on stdout)
                   veil audit rotate-key [--config FILE]                    (start a new data-key epoch now)""";

    private final Function<Optional<Path>, VeilConfig> configs;
    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param configs the config for {@code --config FILE}, or the default config without it
     */
    public AuditCli(Function<Optional<Path>, VeilConfig> configs, PrintStream out, PrintStream err) {
        this.configs = configs;
        this.out = out;
        this.err = err;
    }

    /** Runs one command and returns its exit code. */
    public int run(List<String> args) {
        if (args.isEmpty() || args.contains("--help") || args.contains("-h")) {
            (args.isEmpty() ? err : out).println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.get(0);
        Optional<Path> configFile = Optional.empty();
        long from = 1;
        long to = Long.MAX_VALUE;
        try {
            for (int i = 1; i < args.size(); i++) {
                String arg = args.get(i);
                if (i + 1 >= args.size()) {
                    return usage(arg + " needs a value");
                }
                String value = args.get(++i);
                switch (arg) {
                    case "--config" -> configFile = Optional.of(Path.of(value));
                    case "--from" -> from = Long.parseLong(value);
                    case "--to" -> to = Long.parseLong(value);
                    default -> {
                        return usage("unknown argument '" + arg + "'");
                    }
                }
            }
        } catch (NumberFormatException e) {
            return usage("--from and --to take sequence numbers");
        }
        if (!List.of("verify", "export", "rotate-key").contains(command)) {
            return usage("unknown audit command '" + command + "'");
        }
        AuditConfig audit;
        try {
            audit = configs.apply(configFile).audit().orElseThrow(() -> new ConfigException("veil.audit",
                    "not set, so there is no audit log; set it in the config (see docs/audit.md)"));
        } catch (ConfigException e) {
            err.println("veil: config error: " + e.getMessage());
            return 2;
        }
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            return switch (command) {
                case "verify" -> verify(database, from);
                case "export" -> export(database, from, to);
                default -> rotate(database);
            };
        } catch (ConfigException e) {
            err.println("veil: config error: " + e.getMessage());
            return 2;
        } catch (AuditException e) {
            err.println("veil: audit: " + e.getMessage());
            return 1;
        }
    }

    private int verify(AuditDatabase database, long from) {
        AuditVerifier.Result result = new AuditVerifier(database).verify(from);
        out.println("audit log: " + database.file());
        out.println("public key (Ed25519): " + result.publicKey());
        if (!result.ok()) {
            out.println("FAILED at seq " + result.firstBadSeq().orElseThrow() + ": " + result.problem().orElseThrow());
            out.println("records intact before it: " + result.records());
            return 1;
        }
        out.println("OK: " + result.records() + " records, last seq " + result.lastSeq() + ", last signed checkpoint "
                + "at seq " + result.lastCheckpoint() + (result.unsigned() > 0 ? ", " + result.unsigned()
                + " records after it not yet signed" : ""));
        return 0;
    }

    private int export(AuditDatabase database, long from, long to) {
        long count = new AuditExporter(database).export(from, to, out);
        err.println("veil: exported " + count + " records");
        return 0;
    }

    private int rotate(AuditDatabase database) {
        long epoch = database.rotate();
        out.println("new data-key epoch " + epoch + "; records written from now on use it (a running Veil picks it "
                + "up with its next commit)");
        return 0;
    }

    private int usage(String problem) {
        err.println("veil: " + problem);
        err.println(USAGE);
        return 2;
    }
}
