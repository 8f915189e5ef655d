package dev.veil.server.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import dev.veil.server.testing.CapturedLogs;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys and the audit log are readable by Veil's own user only: data files 0600 in a 0700 data dir. */
class DataFilePermissionsTest {
    private static final List<String> FILES = List.of("keys.db", "keys.db-wal", "keys.db-shm", "audit.db",
            "audit.db-wal", "audit.db-shm");

    @TempDir
    Path temp;
    private Path dataDir;
    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void prepare() throws Exception {
        dataDir = temp.resolve("state");
        upstream = new FakeOpenAiUpstream();
        Files.writeString(temp.resolve("audit-key"), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    @Test
    void aNewDataDirAndItsDatabasesAreCreatedPrivate() throws Exception {
        start();

        assertThat(mode(dataDir)).isEqualTo("rwx------");
        for (String file : FILES) {
            assertThat(mode(dataDir.resolve(file))).as(file).isEqualTo("rw-------");
        }
    }

    @Test
    void anExistingOpenDataDirAndItsDatabasesAreTightenedAtStartWithALogLine() throws Exception {
        start();
        veil.close();
        veil = null;
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String file : FILES) {
            // A clean stop removes the -wal and -shm files; empty ones stand for those a crash leaves behind.
            if (!Files.exists(dataDir.resolve(file))) {
                Files.createFile(dataDir.resolve(file));
            }
            Files.setPosixFilePermissions(dataDir.resolve(file), PosixFilePermissions.fromString("rw-r--r--"));
        }

        CapturedLogs logs = CapturedLogs.open();
        try {
            start();
        } finally {
            logs.close();
        }

        assertThat(mode(dataDir)).isEqualTo("rwx------");
        for (String file : FILES) {
            assertThat(mode(dataDir.resolve(file))).as(file).isEqualTo("rw-------");
        }
        assertThat(logs.text()).contains("rwxr-xr-x").contains("rw-r--r--").contains(dataDir.toString());
    }

    private void start() {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "  data-dir: \"" + dataDir + "\"\n"
                + "  audit: {key-file: \"" + temp.resolve("audit-key") + "\"}\n"));
        assertThat(veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}").statusCode())
                .isEqualTo(200);
        veil.post("/admin/keys", "{\"tenant\": \"acme\"}");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
