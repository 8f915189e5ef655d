package dev.veil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --check-config --config FILE}: what a deployment runs to validate a config file (the compose stack's check
 * does) without starting Veil or reaching the database and OPA the file names.
 */
class CheckConfigTest {
    private static final Map<String, String> ENVIRONMENT = Map.of("VEIL_MASTER_KEY", "check-config-master-key");

    @TempDir
    Path dir;

    @Test
    void aValidFileIsReportedOkWithoutReachingWhatItNames() throws Exception {
        Path password = Files.writeString(dir.resolve("db-password"), "s3cret\n");
        // Nothing listens on port 1: a start would fail on the store; a check never connects.
        Path config = write("""
                veil:
                  master-key: "${VEIL_MASTER_KEY}"
                  data-dir: %s
                  store: {kind: postgres, url: "jdbc:postgresql://127.0.0.1:1/veil", username: veil,
                          password-file: %s}
                  opa: {url: "http://127.0.0.1:1"}
                  providers:
                    veil: {kind: echo}
                """.formatted(dir.resolve("data"), password));

        Run check = run("--check-config", "--config", config.toString());

        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.out()).startsWith("config OK: " + config);
        assertThat(check.out() + check.err()).doesNotContain("s3cret");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void anInvalidFileFailsWithWhatStartupSays() throws Exception {
        Path config = write("""
                veil:
                  master-key: "${VEIL_MASTER_KEY}"
                  opa: {url: "http://127.0.0.1:1"}
                  management: {port: 9464, colour: blue}
                  providers:
                    veil: {kind: echo}
                """);

        Run check = run("--check-config", "--config", config.toString());
        Run start = run("--config", config.toString());

        assertThat(check.err()).contains("veil: config error: ").contains("colour");
        assertThat(check.err()).isEqualTo(start.err());
        assertThat(check.exitCode()).isEqualTo(start.exitCode()).isNotZero();
        assertThat(check.out()).doesNotContain("config OK");
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("veil.yaml"), yaml);
    }

    private Run run(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "dev.veil.server.Main"));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(ENVIRONMENT);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private record Run(int exitCode, String out, String err) {
    }
}
