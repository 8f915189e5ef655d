package dev.veil.server.testing;

import static dev.veil.server.testing.Awaits.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL (Debian's {@code postgresql} package, which {@code ./veil test} installs) in a temporary directory
 * of its own, on a free loopback port, with its socket in that directory too; stopped and deleted by {@link #close}.
 * It asks for a password (scram-sha-256) as a production server would. PostgreSQL refuses to run as root, so when
 * the tests do, it runs as the {@code postgres} user, who is given the directory.
 */
public final class PostgresProcess implements AutoCloseable {
    public static final String USER = "veil";
    public static final String PASSWORD = "pg-test-password-7f3a";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path dir;
    private final boolean asRoot;
    private final int port;
    private volatile Process process;

    private PostgresProcess(Path dir, boolean asRoot, int port) {
        this.dir = dir;
        this.asRoot = asRoot;
        this.port = port;
    }

    /** Initialises a cluster in a new temporary directory and starts it. */
    public static PostgresProcess start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("veil-pg-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        Path passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, PASSWORD, StandardCharsets.UTF_8);
        if (asRoot) {
            UserPrincipal postgresUser = dir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgresUser);
            Files.setOwner(passwordFile, postgresUser);
        }
        int port = LocalProcesses.freePort();
        PostgresProcess postgres = new PostgresProcess(dir, asRoot, port);
        try {
            run(asRoot, dir, List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                    "-U", USER, "--auth=scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF8",
                    "--locale=C.UTF-8", "--no-sync"), dir.resolve("postgres.log"));
            postgres.launch();
        } catch (IOException | RuntimeException e) {
            postgres.close();
            throw e;
        }
        return postgres;
    }

    private void launch() throws IOException {
        Path log = dir.resolve("postgres.log");
        List<String> command = new ArrayList<>(asUser(asRoot));
        command.addAll(List.of(binaries().resolve("postgres").toString(), "-D", dir.resolve("data").toString(),
                "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "max_connections=200"));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitReady(log);
    }

    /** Stops the server (fast shutdown: open sessions are ended), keeping its data for {@link #restart}. */
    public void stop() throws IOException, InterruptedException {
        Process running = process;
        if (running != null && running.isAlive()) {
            new ProcessBuilder("kill", "-INT", Long.toString(running.pid())).start().waitFor();
            if (!running.waitFor(20, TimeUnit.SECONDS)) {
                running.destroyForcibly().waitFor();
            }
        }
    }

    /** Starts the server again after {@link #stop}, on the same port with the same data. */
    public void restart() throws IOException {
        launch();
    }

    /** Where Debian's package puts the server binaries: the newest {@code /usr/lib/postgresql/<version>/bin}. */
    public static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var found = versions.map(version -> version.resolve("bin"))
                        .filter(bin -> Files.isExecutable(bin.resolve("postgres"))
                                && Files.isExecutable(bin.resolve("initdb")))
                        .max(Comparator.comparing(bin -> versionOf(bin.getParent())));
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new IllegalStateException("PostgreSQL is missing: run ./veil test, which installs Debian's postgresql "
                + "package (or: apt-get install postgresql)");
    }

    private static int versionOf(Path versionDir) {
        try {
            return Integer.parseInt(versionDir.getFileName().toString().replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static List<String> asUser(boolean asRoot) {
        return asRoot ? List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--") : List.of();
    }

    private static void run(boolean asRoot, Path dir, List<String> command, Path log)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(asUser(asRoot));
        full.addAll(command);
        Process process = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(log));
        }
    }

    private void awaitReady(Path log) {
        Process process = this.process;
        await("PostgreSQL accepting connections").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("PostgreSQL exited at startup with status "
                                + process.exitValue() + ": " + Files.readString(log));
                    }
                    try (Connection ignored = connect("postgres")) {
                        return true;
                    } catch (SQLException e) {
                        return false;
                    }
                });
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of {@code database} on this server. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * A new, empty database, named uniquely for this run. It sorts text by English rules (ICU {@code en-US}), as
     * production databases commonly do, not bytewise like SQLite, so that a query relying on the database's default
     * order shows up in a comparison with SQLite.
     */
    public String createDatabase() throws SQLException {
        String name = "veil_" + DATABASES.incrementAndGet();
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name + " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
        }
        return name;
    }

    /** A connection to {@code database} as the test user. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), USER, PASSWORD);
    }

    /** Lines under {@code veil:} that point Veil's store at {@code database} on this server. */
    public String storeYaml(String database) {
        return """
                  store:
                    kind: postgres
                    url: "%s"
                    username: %s
                    password: "%s"
                    pool-size: 4
                """.formatted(url(database), USER, PASSWORD);
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
