package dev.veil.server.audit;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import dev.veil.server.config.AuditConfig;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.VeilConfig;

/**
 * {@code veil audit verify|export|rotate-key [--config FILE]}: the security team's view of the audit log, on the
 * same config as {@code veil run}. Verify and export also take the logs of several replicas, named as arguments and
 * read with the config's key: verify checks each chain on its own, export merges their records by time. Exit codes:
 * 0 ok, 1 a log failed verification or could not be read (the first bad sequence number is named), 2 a usage or
 * config mistake.
 */
public final class AuditCli {
    private static final String USAGE = """
            usage: veil audit verify [DB ...] [--from N] [--config FILE]
                   veil audit verify [DB] --against-export FILE [--from N] [--to M] [--config FILE]
                   veil audit export [DB ...] [--from N] [--to M] [--config FILE]   (JSON lines on stdout)
                   veil audit rotate-key [--config FILE]                    (start a new data-key epoch now)
            DB: audit logs to read instead of the config's (one per replica; the config's key reads them).
            verify checks and reports each log; export merges several by time.
            --against-export: checks that FILE, what an audit export sink received (syslog lines, HEC events or
            webhook records, one a line), holds every record from N on (to M with --to), in order, with the chain's
            hashes.""";

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
        List<Path> files = new ArrayList<>();
        long from = 1;
        long to = Long.MAX_VALUE;
        Optional<Path> againstExport = Optional.empty();
        try {
            for (int i = 1; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("--")) {
                    files.add(Path.of(arg));
                    continue;
                }
                if (i + 1 >= args.size()) {
                    return usage(arg + " needs a value");
                }
                String value = args.get(++i);
                switch (arg) {
                    case "--config" -> configFile = Optional.of(Path.of(value));
                    case "--from" -> from = Long.parseLong(value);
                    case "--to" -> to = Long.parseLong(value);
                    case "--against-export" -> againstExport = Optional.of(Path.of(value));
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
        if (command.equals("rotate-key") && !files.isEmpty()) {
            return usage("rotate-key starts a new epoch in the config's log only; it takes no log files");
        }
        if (againstExport.isPresent() && (!command.equals("verify") || files.size() > 1)) {
            return usage("--against-export checks one log: verify [DB] --against-export FILE");
        }
        AuditConfig audit;
        try {
            audit = configs.apply(configFile).audit().orElseThrow(() -> new ConfigException("veil.audit",
                    "not set, so there is no audit log; set it in the config (see docs/audit.md)"));
        } catch (ConfigException e) {
            err.println("veil: config error: " + e.getMessage());
            return 2;
        }
        if (againstExport.isPresent()) {
            return verifyExport(files.isEmpty() ? audit : audit.withDatabase(files.get(0)), againstExport.get(), from,
                    to);
        }
        if (!files.isEmpty()) {
            return command.equals("verify") ? verifyEach(audit, files, from) : exportMerged(audit, files, from, to);
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

    /** Checks an exported stream against the chain; exit 1 at the first gap, disorder or other hash. */
    private int verifyExport(AuditConfig audit, Path export, long from, long to) {
        if (!Files.isReadable(export)) {
            err.println("veil: audit: " + export + " does not exist or cannot be read");
            return 2;
        }
        try (AuditDatabase database = AuditDatabase.open(audit, false)) {
            ExportedStreamVerifier.Result result = ExportedStreamVerifier.verify(database, export, from, to);
            out.println("audit log: " + database.file());
            out.println("export: " + export + " (" + result.records() + " records, " + result.duplicates()
                    + " sent again, " + result.ignored() + " other lines skipped)");
            if (!result.ok()) {
                out.println("FAILED at seq " + result.firstBadSeq().orElseThrow() + ": " + result.problem()
                        .orElseThrow());
                return 1;
            }
            out.println("OK: every record from seq " + from + " to " + result.last() + " is in the export, in order, "
                    + "with the chain's hashes" + (result.chainHead() > result.last() ? "; the log goes on to seq "
                    + result.chainHead() + " (" + (result.chainHead() - result.last()) + " records not in the "
                    + "export yet)" : ""));
            return 0;
        } catch (ConfigException e) {
            err.println("veil: config error: " + e.getMessage());
            return 2;
        } catch (AuditException e) {
            err.println("veil: audit: " + e.getMessage());
            return 1;
        } catch (java.io.IOException e) {
            err.println("veil: audit: " + export + " cannot be read (" + e.getClass().getSimpleName() + ")");
            return 1;
        }
    }

    private int verify(AuditDatabase database, long from) {
        return report(database, new AuditVerifier(database).verify(from)) ? 0 : 1;
    }

    /** Prints what verify found in one log; returns whether it verified. */
    private boolean report(AuditDatabase database, AuditVerifier.Result result) {
        out.println("audit log: " + database.file());
        out.println(nodes(database, result));
        out.println("public key (Ed25519): " + result.publicKey());
        String made = result.firstMillis().isEmpty() ? "" : ", made from " + Instant.ofEpochMilli(
                result.firstMillis().getAsLong()) + " to " + Instant.ofEpochMilli(result.lastMillis().getAsLong());
        if (!result.ok()) {
            out.println("FAILED at seq " + result.firstBadSeq().orElseThrow() + ": " + result.problem().orElseThrow());
            out.println("records intact before it: " + result.records() + made);
            return false;
        }
        out.println("OK: " + result.records() + " records, last seq " + result.lastSeq() + ", last signed checkpoint "
                + "at seq " + result.lastCheckpoint() + (result.unsigned() > 0 ? ", " + result.unsigned()
                + " records after it not yet signed" : ""));
        if (!made.isEmpty()) {
            out.println("records" + made);
        }
        return true;
    }

    /** The node ids a log's records name and, for records from before node ids, what its metadata states. */
    private static String nodes(AuditDatabase database, AuditVerifier.Result result) {
        Optional<String> stated = database.nodeId();
        String older = result.withoutNodeId() == 0 ? "" : "; " + result.withoutNodeId() + " records from before "
                + "node ids" + stated.map(id -> " (the log states node " + id + ")").orElse("");
        if (result.nodeIds().isEmpty()) {
            return "node id: " + stated.orElse("none (written before node ids)") + older;
        }
        return (result.nodeIds().size() == 1 ? "node id: " : "node ids: ") + String.join(", ", result.nodeIds())
                + older;
    }

    /**
     * Verifies each of {@code files} on its own and reports each; two logs of the same node are named with a warning
     * (verification stands: each chain is checked on its own). Exit 1 when any log failed or could not be read.
     */
    private int verifyEach(AuditConfig audit, List<Path> files, long from) {
        Map<Path, Set<String>> nodesByLog = new LinkedHashMap<>();
        List<Path> failed = new ArrayList<>();
        for (Path file : files) {
            if (nodesByLog.containsKey(file) || failed.contains(file)) {
                out.println("WARNING: " + file + " is named twice; it is checked once");
                continue;
            }
            if (!Files.exists(file)) {
                out.println("audit log: " + file);
                out.println("FAILED: the file does not exist");
                failed.add(file);
                out.println();
                continue;
            }
            try (AuditDatabase database = AuditDatabase.open(audit.withDatabase(file), false)) {
                AuditVerifier.Result result = new AuditVerifier(database).verify(from);
                if (!report(database, result)) {
                    failed.add(file);
                }
                nodesByLog.put(file, nodeIds(database, result.nodeIds()));
            } catch (ConfigException | AuditException e) {
                out.println("audit log: " + file);
                out.println("FAILED: cannot be read: " + e.getMessage());
                failed.add(file);
            }
            out.println();
        }
        sameNodes(nodesByLog).forEach((node, logs) -> out.println("WARNING: " + sameNode(logs, node) + ": the same "
                + "log twice (a copy or a backup), or replicas sharing a node id; give each replica its own "
                + "veil.node-id"));
        long intact = files.stream().distinct().count() - failed.size();
        out.println(failed.isEmpty() ? "all " + intact + " logs verified" : intact + " of "
                + files.stream().distinct().count() + " logs verified; FAILED: " + String.join(", ",
                failed.stream().map(Path::toString).toList()));
        return failed.isEmpty() ? 0 : 1;
    }

    /**
     * Exports the records of {@code files} merged by time. Logs of the same node are refused: their records could
     * not be told apart in the merged output.
     */
    private int exportMerged(AuditConfig audit, List<Path> files, long from, long to) {
        List<AuditDatabase> databases = new ArrayList<>();
        try {
            Map<Path, Set<String>> nodesByLog = new LinkedHashMap<>();
            for (Path file : files.stream().distinct().toList()) {
                if (!Files.exists(file)) {
                    err.println("veil: audit: " + file + " does not exist");
                    return 1;
                }
                AuditDatabase database = AuditDatabase.open(audit.withDatabase(file), false);
                databases.add(database);
                nodesByLog.put(file, nodeIds(database, database.recordNodeIds()));
            }
            Map<String, List<Path>> same = sameNodes(nodesByLog);
            if (!same.isEmpty()) {
                same.forEach((node, logs) -> err.println("veil: " + sameNode(logs, node) + "; their records could "
                        + "not be told apart in one export: export them one at a time"));
                return 2;
            }
            long count = databases.size() == 1 ? new AuditExporter(databases.get(0)).export(from, to, out)
                    : AuditExporter.merge(databases, from, to, out);
            err.println("veil: exported " + count + " records from " + databases.size() + " logs");
            return 0;
        } catch (ConfigException e) {
            err.println("veil: config error: " + e.getMessage());
            return 2;
        } catch (AuditException e) {
            err.println("veil: audit: " + e.getMessage());
            return 1;
        } finally {
            databases.forEach(AuditDatabase::close);
        }
    }

    /** The node ids a log is known by: those its records name and the one its metadata states. */
    private static Set<String> nodeIds(AuditDatabase database, List<String> recordNodeIds) {
        Set<String> ids = new LinkedHashSet<>(recordNodeIds);
        database.nodeId().ifPresent(ids::add);
        return ids;
    }

    /** Node ids that more than one log is known by, with those logs. */
    private static Map<String, List<Path>> sameNodes(Map<Path, Set<String>> nodesByLog) {
        Map<String, List<Path>> logsByNode = new LinkedHashMap<>();
        nodesByLog.forEach((log, nodes) -> nodes.forEach(node -> logsByNode.computeIfAbsent(node,
                n -> new ArrayList<>()).add(log)));
        logsByNode.values().removeIf(logs -> logs.size() < 2);
        return logsByNode;
    }

    private static String sameNode(List<Path> logs, String node) {
        return String.join(" and ", logs.stream().map(Path::toString).toList()) + (logs.size() == 2 ? " are both"
                : " are all") + " node " + node;
    }

    private int export(AuditDatabase database, long from, long to) {
        long count = new AuditExporter(database).export(from, to, out);
        err.println("veil: exported " + count + " records");
        post(database, "audit.export", Map.of("from", Long.toString(from), "to", Long.toString(to),
                "records", Long.toString(count)));
        return 0;
    }

    private int rotate(AuditDatabase database) {
        long epoch = database.rotate();
        post(database, "audit.rotate_key", Map.of("epoch", Long.toString(epoch)));
        out.println("new data-key epoch " + epoch + "; records written from now on use it (a running Veil picks it "
                + "up with its next commit)");
        return 0;
    }

    /**
     * Leaves an admin record of this command in the log's inbox, for the Veil that writes the log to chain: who ran
     * it (the local user), what it did, and that it was applied. A log this user may not write (a read-only copy)
     * keeps no record, and the command says so.
     */
    private void post(AuditDatabase database, String action, Map<String, String> target) {
        try {
            database.post(new AdminEvent(AdminEvent.newId(), new AdminEvent.Actor("cli", "local",
                    Optional.ofNullable(System.getProperty("user.name")), Optional.empty(), Optional.empty()),
                    action, target, Optional.empty(), Optional.empty(), 0, "applied"));
        } catch (AuditException e) {
            err.println("veil: the audit log keeps no record of this " + action + " (cannot write to "
                    + database.file() + ")");
        }
    }

    private int usage(String problem) {
        err.println("veil: " + problem);
        err.println(USAGE);
        return 2;
    }
}
