package dev.veil.server.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code veil usage}: the spend the running Veil recorded, per day, key, tenant, team, user and model (docs/keys.md).
 */
@Command(name = "usage", description = "Spend recorded by the running Veil, as JSON or CSV.")
final class UsageCommand implements Callable<Integer> {
    @ParentCommand
    AdminCli cli;
    @Mixin
    HelpOption help;

    @Option(names = "--tenant", paramLabel = "T", description = "Only this tenant.")
    Optional<String> tenant;
    @Option(names = "--team", paramLabel = "T", description = "Only this team.")
    Optional<String> team;
    @Option(names = "--key", paramLabel = "ID", description = "Only this key.")
    Optional<String> key;
    @Option(names = "--user", paramLabel = "U", description = "Only this user (as usage shows it).")
    Optional<String> user;
    @Option(names = "--model", paramLabel = "M", description = "Only this model.")
    Optional<String> model;
    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "From this UTC day on.")
    Optional<String> from;
    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Up to this UTC day, included.")
    Optional<String> to;
    @Option(names = "--csv", description = "CSV instead of JSON.")
    boolean csv;

    @Override
    public Integer call() {
        Map<String, String> query = new LinkedHashMap<>();
        tenant.ifPresent(value -> query.put("tenant", value));
        team.ifPresent(value -> query.put("team", value));
        key.ifPresent(value -> query.put("key", value));
        user.ifPresent(value -> query.put("user", value));
        model.ifPresent(value -> query.put("model", value));
        from.ifPresent(value -> query.put("from", value));
        to.ifPresent(value -> query.put("to", value));
        if (csv) {
            query.put("format", "csv");
        }
        return cli.print(cli.client().get("/admin/usage", query));
    }
}
