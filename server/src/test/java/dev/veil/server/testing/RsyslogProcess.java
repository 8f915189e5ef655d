package dev.veil.server.testing;

import static dev.veil.server.testing.Awaits.await;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real rsyslog (Debian's {@code rsyslog} and {@code rsyslog-gnutls} packages, which {@code ./veil test} installs)
 * as its own process in a directory of its own, with no system config: {@code imtcp} over TLS ({@code gtls}, anonymous
 * clients) on a free loopback port, with a test CA and a server certificate for 127.0.0.1 made by the {@code openssl}
 * command, writing every message it receives, as received, one a line, to {@link #received()}.
 */
public final class RsyslogProcess implements AutoCloseable {
    private final int port;
    private final Path dir;
    private Process process;

    private RsyslogProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Starts rsyslog in {@code dir} and waits until it accepts connections. */
    public static RsyslogProcess start(Path dir) throws IOException, InterruptedException {
        certificates(dir);
        int port = LocalProcesses.freePort();
        Path config = dir.resolve("rsyslog.conf");
        Files.writeString(config, """
                global(workDirectory="%1$s" maxMessageSize="64k"
                       defaultNetstreamDriver="gtls"
                       defaultNetstreamDriverCAFile="%1$s/ca.pem"
                       defaultNetstreamDriverCertFile="%1$s/server.pem"
                       defaultNetstreamDriverKeyFile="%1$s/server.key")
                module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
                template(name="received" type="string" string="%%rawmsg%%\\n")
                input(type="imtcp" address="127.0.0.1" port="%2$d")
                action(type="omfile" file="%1$s/received.log" template="received")
                """.formatted(dir.toAbsolutePath(), port));
        RsyslogProcess rsyslog = new RsyslogProcess(port, dir);
        try {
            rsyslog.launch();
        } catch (RuntimeException e) {
            rsyslog.close();
            throw e;
        }
        return rsyslog;
    }

    private void launch() throws IOException {
        Path log = dir.resolve("rsyslogd.out");
        Process started = new ProcessBuilder(binary().toString(), "-n", "-f", dir.resolve("rsyslog.conf").toString(),
                "-i", dir.resolve("rsyslogd.pid").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process = started;
        await("rsyslog listening").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException("rsyslogd exited at startup: " + Files.readString(log));
                    }
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /** Stops rsyslog (SIGTERM: it closes its connections) and starts it again on the same port and file. */
    public void restart() throws IOException {
        LocalProcesses.stop(process);
        launch();
    }

    private static void certificates(Path dir) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=Veil test syslog CA");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=127.0.0.1");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("openssl " + args[0] + " failed: " + output);
        }
    }

    /** rsyslogd: on the PATH, or in /usr/sbin where Debian's package puts it. */
    public static Path binary() {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "rsyslogd");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("rsyslog is missing: run ./veil test, which installs Debian's rsyslog and "
                + "rsyslog-gnutls packages (or: apt-get install rsyslog rsyslog-gnutls)");
    }

    public int port() {
        return port;
    }

    /** The CA that signed the server's certificate, for the sink's {@code ca-file}. */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** The file rsyslog writes what it receives to: one message a line, as received. */
    public Path received() {
        return dir.resolve("received.log");
    }

    /** The messages received so far. */
    public List<String> lines() throws IOException {
        return Files.exists(received()) ? Files.readAllLines(received(), StandardCharsets.UTF_8) : List.of();
    }

    @Override
    public void close() {
        if (process != null) {
            LocalProcesses.stop(process);
        }
    }
}
