package dev.veil.server.testing;

import static dev.veil.server.testing.Awaits.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis ({@code redis-server} from Debian's package, which {@code ./veil test} installs) in a temporary
 * directory of its own, on a free loopback port, with a password as a production server would have; stopped and
 * deleted by {@link #close}. {@link #stop} and {@link #restart} take it away and bring it back on the same port, for
 * the outage tests. Nothing is persisted: a restart starts empty, as a Redis without persistence does.
 */
public final class RedisProcess implements AutoCloseable {
    public static final String PASSWORD = "redis-test-password-91c2";

    private final Path dir;
    private final int port;
    private volatile Process process;

    private RedisProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts a server in a new temporary directory. */
    public static RedisProcess start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("veil-redis-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        RedisProcess redis = new RedisProcess(dir, LocalProcesses.freePort());
        try {
            redis.launch();
        } catch (IOException | RuntimeException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    private void launch() throws IOException {
        Path config = dir.resolve("redis.conf");
        Files.writeString(config, String.join("\n", List.of(
                "bind 127.0.0.1", "port " + port, "dir " + dir, "requirepass " + PASSWORD, "save \"\"",
                "appendonly no", "daemonize no", "protected-mode yes", "logfile " + dir.resolve("redis.log"))) + "\n",
                StandardCharsets.UTF_8);
        process = new ProcessBuilder(binary(), config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
        Process started = process;
        await("Redis answering PING").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!started.isAlive()) {
                throw new IllegalStateException("redis-server exited at startup with status " + started.exitValue()
                        + ": " + Files.readString(dir.resolve("stdout.log")));
            }
            return ping();
        });
    }

    private static String binary() {
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("redis-server is missing: run ./veil test, which installs Debian's "
                + "redis-server package (or: apt-get install redis-server)");
    }

    private boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write(("AUTH " + PASSWORD + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64];
            StringBuilder answer = new StringBuilder();
            while (!answer.toString().contains("PONG")) {
                int read = in.read(buffer);
                if (read < 0) {
                    return false;
                }
                answer.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
                if (answer.indexOf("-") == 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** The server's URL, without the password ({@link #PASSWORD}), which Veil's config takes apart. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server (its data is gone: nothing is persisted). */
    public void stop() throws InterruptedException {
        Process running = process;
        if (running != null && running.isAlive()) {
            running.destroy();
            if (!running.waitFor(20, TimeUnit.SECONDS)) {
                running.destroyForcibly().waitFor();
            }
        }
    }

    /** Starts the server again after {@link #stop}, on the same port, empty. */
    public void restart() throws IOException {
        launch();
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
