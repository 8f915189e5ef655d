package dev.veil.server.http;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.veil.server.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code veil.upstream.ca-file} Veil cannot use stops startup with a message that names the key and the fix. */
class UpstreamTrustTest {
    @Test
    void namesTheKeyWhenTheCaFileIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> UpstreamTrust.withCaFile(dir.resolve("missing.pem")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.upstream.ca-file")
                .hasMessageContaining("missing.pem");
    }

    @Test
    void namesTheKeyWhenTheCaFileIsNotPem(@TempDir Path dir) throws IOException {
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");

        assertThatThrownBy(() -> UpstreamTrust.withCaFile(notPem))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.upstream.ca-file")
                .hasMessageContaining("PEM");
    }

    @Test
    void namesTheKeyWhenTheCaFileIsEmpty(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("ca.pem"), "");

        assertThatThrownBy(() -> UpstreamTrust.withCaFile(empty))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.upstream.ca-file");
    }
}
