package dev.veil.server.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code veil keys create|list|rotate|revoke ...} and {@code veil usage ...}: calls the admin API of the running Veil
 * (see {@link AdminClient} for where and with which key) and prints its answer, success or error, as it came, then
 * a newline. Exit codes: 0 for a success answer, 1 for an error answer or no Veil to reach, 2 for a usage mistake
 * (an unknown option, a number that is not one).
 */
@Command(name = "veil", description = "Manage virtual keys and read usage on the running Veil.",
        subcommands = {KeysCommand.class, UsageCommand.class}, synopsisSubcommandLabel = "(keys | usage)")
public final class AdminCli implements Callable<Integer> {
    private static final Set<String> COMMANDS = Set.of("keys", "usage");

    @Spec
    private CommandSpec spec;
    private final Map<String, String> environment;
    private final PrintStream out;

    private AdminCli(Map<String, String> environment, PrintStream out) {
        this.environment = environment;
        this.out = out;
    }

    /** Whether {@code command} is one of the subcommands this CLI serves. */
    public static boolean serves(String command) {
        return COMMANDS.contains(command);
    }

    /**
     * Runs one command and returns its exit code.
     *
     * @param args the command and its options, such as {@code keys list --tenant acme}
     * @param environment where {@code VEIL_URL}, {@code VEIL_PORT}, {@code VEIL_MASTER_KEY} and {@code VEIL_DATA_DIR}
     *     are looked up
     */
    public static int run(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
        PrintWriter errors = new PrintWriter(err, true, StandardCharsets.UTF_8);
        return new CommandLine(new AdminCli(environment, out))
                .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .setErr(errors)
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    if (e instanceof CliFailure failure) {
                        errors.println("veil: " + failure.getMessage());
                        return failure.exitCode();
                    }
                    throw e;
                })
                .execute(args.toArray(String[]::new));
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: keys or usage");
    }

    AdminClient client() {
        return AdminClient.from(environment);
    }

    /** Prints {@code answer}'s body and a newline; the exit code for it. */
    int print(AdminClient.Answer answer) {
        try {
            out.write(answer.body());
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return answer.ok() ? 0 : 1;
    }
}
