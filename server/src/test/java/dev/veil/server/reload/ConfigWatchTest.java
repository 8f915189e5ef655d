package dev.veil.server.reload;

import static dev.veil.server.testing.Awaits.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.veil.server.config.ConfigLoader;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.VeilUnderTest;

/**
 * {@code veil.reload: watch}: a change to the config file reloads it, whether the file is written in place, replaced
 * by a rename as editors do, or swapped by Kubernetes through the {@code ..data} link of a mounted ConfigMap.
 */
class ConfigWatchTest {
    @TempDir
    Path dir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;
    private String yaml;
    private String changed;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream().on("gpt-4o", FakeOpenAiUpstream.echo())
                .on("gpt-4o-mini", FakeOpenAiUpstream.echo());
        yaml = VeilUnderTest.config(upstream, "  reload: watch\n");
        changed = yaml.replace("openai/gpt-4o\"]", "openai/gpt-4o-mini\"]");
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private void startWatching(Path file) {
        veil = VeilUnderTest.start(yaml);
        veil.server().watch(file, Map.<String, String>of()::get);
    }

    private void awaitChangedConfigServes() {
        String revision = ConfigLoader.fromYaml(changed, Map.<String, String>of()::get).revision();
        await("the changed config runs").atMost(Duration.ofSeconds(20))
                .until(() -> veil.server().revision().equals(revision));
        assertThat(veil.post("/v1/chat/completions", """
                {"model":"smart","messages":[{"role":"user","content":"hello"}]}""").statusCode()).isEqualTo(200);
        assertThat(upstream.lastReceived().body().path("model").asText()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void aFileWrittenInPlaceIsReloaded() throws Exception {
        Path file = Files.writeString(dir.resolve("veil.yaml"), yaml);
        startWatching(file);

        Files.writeString(file, changed);

        awaitChangedConfigServes();
    }

    @Test
    void aFileReplacedByARenameIsReloaded() throws Exception {
        Path file = Files.writeString(dir.resolve("veil.yaml"), yaml);
        startWatching(file);

        Path written = Files.writeString(dir.resolve(".veil.yaml.swp"), changed);
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        awaitChangedConfigServes();
    }

    @Test
    void aKubernetesConfigMapSwapIsReloaded() throws Exception {
        // A mounted ConfigMap: veil.yaml -> ..data/veil.yaml, ..data -> a timestamped directory.
        Path first = Files.createDirectory(dir.resolve("..2026_12_07_22_00_00.1"));
        Files.writeString(first.resolve("veil.yaml"), yaml);
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("veil.yaml"), Path.of("..data", "veil.yaml"));
        startWatching(file);

        Path second = Files.createDirectory(dir.resolve("..2026_12_07_22_05_00.2"));
        Files.writeString(second.resolve("veil.yaml"), changed);
        Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        awaitChangedConfigServes();
    }
}
