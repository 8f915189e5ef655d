package dev.veil.server.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the client-compatibility scripts in {@code src/test/node} with {@code node} from the PATH, pointed at
 * Veil through {@code VEIL_BASE_URL} and {@code VEIL_API_KEY}. Its npm packages are installed by {@code ./veil test};
 * a missing package, a missing {@code node} or a script that hangs fails the test with a message saying so.
 */
public final class NodeScript {
    private static final Path NODE_DIR = Path.of(System.getProperty("veil.node.dir", "src/test/node"));
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /**
     * How a run ended.
     *
     * @param exitCode the script's exit code
     * @param output what it printed, stdout and stderr together
     */
    public record Run(int exitCode, String output) {
    }

    private NodeScript() {
    }

    /**
     * Runs {@code script}.
     *
     * @param npmPackage the package the script needs, as its path under {@code node_modules}
     * @param sdkEnvironmentPrefix the SDK's own environment variables ({@code OPENAI_}), removed so that a
     *                             developer's settings cannot steer the run
     * @param baseUrl the base URL the SDK is given
     */
    public static Run run(String script, String npmPackage, String sdkEnvironmentPrefix, String baseUrl)
            throws IOException, InterruptedException {
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules").resolve(npmPackage))) {
            fail("npm packages for the client tests are missing: run ./veil test, which installs them "
                    + "(npm ci --prefix server/src/test/node)");
        }
        Path output = Files.createTempFile("veil-node-compat", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder("node", script)
                    .directory(NODE_DIR.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith(sdkEnvironmentPrefix));
            builder.environment().put("VEIL_BASE_URL", baseUrl);
            builder.environment().put("VEIL_API_KEY", VeilUnderTest.MASTER_KEY);
            builder.environment().put("NO_COLOR", "1");
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                return fail("could not start node from PATH (Node.js 20 or later is needed for the client tests): "
                        + e.getMessage());
            }
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return fail("node " + script + " did not finish within " + TIMEOUT.toMinutes()
                        + " minutes; its output so far:\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
