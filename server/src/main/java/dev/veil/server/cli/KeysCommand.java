package dev.veil.server.cli;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code veil keys create|list|rotate|revoke}: the virtual keys of the running Veil (docs/keys.md). */
@Command(name = "keys", description = "Create, list, rotate and revoke virtual keys on the running Veil.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class,
                KeysCommand.Revoke.class}, synopsisSubcommandLabel = "(create | list | rotate | revoke)")
final class KeysCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    AdminCli cli;
    @Spec
    CommandSpec spec;
    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: create, list, rotate or "
                + "revoke");
    }

    @Command(name = "create", description = "Create a virtual key; the key is printed once.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;
        @Mixin
        HelpOption help;

        @Option(names = "--tenant", required = true, paramLabel = "T", description = "The tenant it belongs to.")
        String tenant;
        @Option(names = "--team", paramLabel = "T", description = "The team within the tenant (default: default).")
        Optional<String> team;
        @Option(names = "--name", paramLabel = "N", description = "A label for listings.")
        Optional<String> name;
        @Option(names = "--models", split = ",", paramLabel = "MODEL",
                description = "Model names or globs it may ask for (default: any).")
        List<String> models;
        @Option(names = "--label", paramLabel = "k=v", description = "A free label, passed to the policy; repeatable.")
        Map<String, String> labels = new LinkedHashMap<>();
        @Option(names = "--scope", paramLabel = "chat|admin", description = "admin also allows the admin API.")
        Optional<String> scope;
        @Option(names = "--expires", paramLabel = "2026-01-31T00:00:00Z", description = "When it stops working.")
        Optional<String> expires;
        @Option(names = "--rpm", paramLabel = "N", converter = Numbers.WholeNumber.class,
                description = "Requests per minute; 0 for no limit.")
        Optional<Long> rpm;
        @Option(names = "--tpm", paramLabel = "N", converter = Numbers.WholeNumber.class,
                description = "Tokens per minute; 0 for no limit.")
        Optional<Long> tpm;
        @Option(names = "--budget-usd", paramLabel = "X", converter = Numbers.Dollars.class,
                description = "Hard spending cap per period, in US dollars.")
        Optional<BigDecimal> budgetUsd;
        @Option(names = "--soft-usd", paramLabel = "X", converter = Numbers.Dollars.class,
                description = "Alert threshold per period, in US dollars.")
        Optional<BigDecimal> softUsd;
        @Option(names = "--period", paramLabel = "day|month", description = "The budget's period (default: month).")
        Optional<String> period;

        @Override
        public Integer call() {
            ObjectNode body = JSON.createObjectNode().put("tenant", tenant);
            team.ifPresent(value -> body.put("team", value));
            name.ifPresent(value -> body.put("name", value));
            scope.ifPresent(value -> body.put("scope", value));
            expires.ifPresent(value -> body.put("expires_at", value));
            if (models != null) {
                models.forEach(body.putArray("models")::add);
            }
            if (!labels.isEmpty()) {
                labels.forEach(body.putObject("labels")::put);
            }
            if (rpm.isPresent() || tpm.isPresent()) {
                ObjectNode limits = body.putObject("limits");
                rpm.ifPresent(value -> limits.put("rpm", value));
                tpm.ifPresent(value -> limits.put("tpm", value));
            }
            if (budgetUsd.isPresent() || softUsd.isPresent() || period.isPresent()) {
                ObjectNode budget = body.putObject("budget");
                budgetUsd.ifPresent(value -> budget.put("limit_usd", value));
                softUsd.ifPresent(value -> budget.put("soft_usd", value));
                period.ifPresent(value -> budget.put("period", value));
            }
            return keys.cli.print(keys.cli.client().post("/admin/keys", Optional.of(body)));
        }
    }

    @Command(name = "list", description = "List keys, without their secrets.")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;
        @Mixin
        HelpOption help;

        @Option(names = "--tenant", paramLabel = "T", description = "Only this tenant's keys.")
        Optional<String> tenant;
        @Option(names = "--team", paramLabel = "T", description = "Only this team's keys.")
        Optional<String> team;

        @Override
        public Integer call() {
            Map<String, String> query = new LinkedHashMap<>();
            tenant.ifPresent(value -> query.put("tenant", value));
            team.ifPresent(value -> query.put("team", value));
            return keys.cli.print(keys.cli.client().get("/admin/keys", query));
        }
    }

    /** An action on one key, by id: {@code POST /admin/keys/{id}/{action}}. */
    abstract static class KeyAction implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;
        @Mixin
        HelpOption help;

        @Parameters(paramLabel = "ID", description = "The key's id.")
        String id;

        abstract String action();

        @Override
        public Integer call() {
            return keys.cli.print(keys.cli.client().post("/admin/keys/" + AdminClient.segment(id) + "/" + action(),
                    Optional.empty()));
        }
    }

    @Command(name = "rotate", description = "Replace a key's secret; the new key is printed once.")
    static final class Rotate extends KeyAction {
        @Override
        String action() {
            return "rotate";
        }
    }

    @Command(name = "revoke", description = "Revoke a key from the next request on.")
    static final class Revoke extends KeyAction {
        @Override
        String action() {
            return "revoke";
        }
    }
}
