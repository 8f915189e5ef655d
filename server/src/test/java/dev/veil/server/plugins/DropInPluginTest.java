package dev.veil.server.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.config.ConfigException;
import dev.veil.server.testing.FakeOpenAiUpstream;
import dev.veil.server.testing.PluginJars;
import dev.veil.server.testing.SseClient;
import dev.veil.server.testing.VeilUnderTest;
import dev.veil.spi.plugin.PluginFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin JARs dropped into {@code veil.plugins-dir}: the example plugin at work, isolation, and refusals. */
class DropInPluginTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLE = Path.of(System.getProperty("veil.examples.dir",
            "../plugins/examples")).resolve("keyword-blocklist");
    private static final String SERVICES = "META-INF/services/dev.veil.spi.plugin.PluginFactory";

    @TempDir
    Path pluginsDir;
    @TempDir
    Path dataDir;

    private FakeOpenAiUpstream upstream;
    private VeilUnderTest veil;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeOpenAiUpstream();
    }

    @AfterEach
    void stop() throws Exception {
        if (veil != null) {
            veil.close();
        }
        upstream.close();
    }

    private VeilUnderTest startWith(String plugins) {
        veil = VeilUnderTest.start(VeilUnderTest.config(upstream, "").replace("  upstream:",
                "  plugins-dir: \"" + pluginsDir + "\"\n  data-dir: \"" + dataDir + "\"\n  upstream:")
                + "  plugins:\n" + plugins);
        return veil;
    }

    private void buildExample() throws Exception {
        PluginJars.buildProject(EXAMPLE, pluginsDir.resolve("keyword-blocklist.jar"), "1.0.0");
    }

    @Test
    void theExamplePluginRejectsABlockedKeywordInAJsonRequest() throws Exception {
        buildExample();
        startWith("    - {name: keyword-blocklist, block: [project-aurora], mask: [secret]}\n");

        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"status of Project-Aurora?\"}]}");

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("blocked_keyword");
        assertThat(error.path("message").asText()).doesNotContainIgnoringCase("aurora");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void theExamplePluginMasksAKeywordInAJsonAnswer() throws Exception {
        buildExample();
        startWith("    - {name: keyword-blocklist, mask: [secret]}\n");

        HttpResponse<String> response = veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"the Secret plan\"}]}");

        assertThat(JSON.readTree(response.body()).at("/choices/0/message/content").asText())
                .isEqualTo("the ****** plan");
    }

    @Test
    void theExamplePluginMasksAKeywordSplitAcrossStreamEvents() throws Exception {
        buildExample();
        upstream.on("gpt-4o", FakeOpenAiUpstream.answer(List.of("the sec", "ret is ", "out, secr", "etly"),
                Duration.ZERO));
        startWith("    - {name: keyword-blocklist, mask: [secret]}\n");

        try (SseClient stream = SseClient.post(veil, "/v1/chat/completions",
                "{\"model\":\"smart\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}")) {
            List<String> events = stream.rest();
            StringBuilder text = new StringBuilder();
            for (String event : events.subList(0, events.size() - 1)) {
                for (JsonNode choice : JSON.readTree(event).path("choices")) {
                    String delta = choice.path("delta").path("content").asText("");
                    assertThat(delta).doesNotContainIgnoringCase("secret");
                    text.append(delta);
                }
            }

            assertThat(text.toString()).isEqualTo("the ****** is out, ******ly");
            assertThat(events).last().isEqualTo("[DONE]");
        }
    }

    @Test
    void listsADropInWithItsVersionAndJar() throws Exception {
        buildExample();
        startWith("    - {name: keyword-blocklist, mask: [secret]}\n");

        JsonNode listed = null;
        for (JsonNode plugin : JSON.readTree(veil.get("/admin/plugins").body()).path("data")) {
            if (plugin.path("name").asText().equals("keyword-blocklist")) {
                listed = plugin;
            }
        }

        assertThat(listed).isNotNull();
        assertThat(listed.path("version").asText()).isEqualTo("1.0.0");
        assertThat(listed.path("source").asText()).endsWith("keyword-blocklist.jar");
    }

    @Test
    void givesEachJarItsOwnCopiesOfItsDependenciesAndHidesTheServer() throws Exception {
        for (String flavour : List.of("one", "two")) {
            PluginJars.build(Map.of(
                    "probe/" + flavour + "/ProbeFactory.java", probe(flavour),
                    // Both JARs bundle a class the server also has, each with a different body.
                    "com/fasterxml/jackson/core/JsonFactory.java",
                    "package com.fasterxml.jackson.core; public class JsonFactory { public static String origin() "
                            + "{ return \"" + flavour + "\"; } }"),
                    Map.of(SERVICES, "probe." + flavour + ".ProbeFactory"),
                    pluginsDir.resolve("probe-" + flavour + ".jar"), "1");
        }
        startWith("    - {name: probe-one}\n    - {name: probe-two}\n");

        veil.post("/v1/chat/completions", "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(Files.readString(dataDir.resolve("plugins/probe-one/report.txt")))
                .isEqualTo("jackson=one server-visible=false context-loader=own");
        assertThat(Files.readString(dataDir.resolve("plugins/probe-two/report.txt")))
                .isEqualTo("jackson=two server-visible=false context-loader=own");
    }

    @Test
    void refusesAJarBuiltAgainstAnotherSpiVersion() throws Exception {
        PluginJars.build(Map.of("future/FutureFactory.java", """
                package future;
                import dev.veil.spi.plugin.*;
                public final class FutureFactory implements PluginFactory {
                    public String name() { return "future"; }
                    public int spiVersion() { return 99; }
                    public Plugin create(PluginSettings settings, PluginContext context) { return new Plugin() { }; }
                }
                """), Map.of(SERVICES, "future.FutureFactory"), pluginsDir.resolve("future.jar"), "1");

        assertThatThrownBy(() -> startWith("    - {name: tagger, tag: A}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("future.jar")
                .hasMessageContaining("built against SPI 99.0")
                .hasMessageContaining("provides SPI " + PluginFactory.SPI_VERSION + "."
                        + PluginFactory.SPI_MINOR_VERSION);
    }

    @Test
    void refusesAJarBuiltAgainstALaterMinorVersion() throws Exception {
        PluginJars.build(Map.of("later/LaterFactory.java", """
                package later;
                import dev.veil.spi.plugin.*;
                public final class LaterFactory implements PluginFactory {
                    public String name() { return "later"; }
                    public int spiVersion() { return SPI_VERSION; }
                    public int spiMinorVersion() { return SPI_MINOR_VERSION + 1; }
                    public Plugin create(PluginSettings settings, PluginContext context) { return new Plugin() { }; }
                }
                """), Map.of(SERVICES, "later.LaterFactory"), pluginsDir.resolve("later.jar"), "1");

        assertThatThrownBy(() -> startWith("    - {name: tagger, tag: A}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("later.jar")
                .hasMessageContaining("built against SPI " + PluginFactory.SPI_VERSION + "."
                        + (PluginFactory.SPI_MINOR_VERSION + 1))
                .hasMessageContaining("run it on a Veil that provides SPI");
    }

    @Test
    void acceptsAJarThatDoesNotSayWhichMinorVersionItWasBuiltAgainst() throws Exception {
        PluginJars.build(Map.of("early/EarlyFactory.java", """
                package early;
                import dev.veil.spi.plugin.*;
                public final class EarlyFactory implements PluginFactory {
                    public String name() { return "early"; }
                    public int spiVersion() { return SPI_VERSION; }
                    public Plugin create(PluginSettings settings, PluginContext context) { return new Plugin() { }; }
                }
                """), Map.of(SERVICES, "early.EarlyFactory"), pluginsDir.resolve("early.jar"), "1");

        startWith("    - {name: early}\n");

        assertThat(veil.post("/v1/chat/completions",
                "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void refusesAJarWithoutAPluginFactory() throws Exception {
        PluginJars.build(Map.of("empty/Nothing.java", "package empty; public class Nothing { }"), Map.of(),
                pluginsDir.resolve("nothing.jar"), "1");

        assertThatThrownBy(() -> startWith("    - {name: tagger, tag: A}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nothing.jar")
                .hasMessageContaining("META-INF/services");
    }

    @Test
    void refusesAJarWhosePluginNameIsTaken() throws Exception {
        PluginJars.build(Map.of("dup/DupFactory.java", """
                package dup;
                import dev.veil.spi.plugin.*;
                public final class DupFactory implements PluginFactory {
                    public String name() { return "tagger"; }
                    public int spiVersion() { return SPI_VERSION; }
                    public Plugin create(PluginSettings settings, PluginContext context) { return new Plugin() { }; }
                }
                """), Map.of(SERVICES, "dup.DupFactory"), pluginsDir.resolve("dup.jar"), "1");

        assertThatThrownBy(() -> startWith("    - {name: tagger, tag: A}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'tagger'")
                .hasMessageContaining("clashes with the one from built-in");
    }

    /** A plugin that writes, on its first request, which copy of a shared class and which class loader it sees. */
    private static String probe(String flavour) {
        return """
                package probe.%1$s;
                import dev.veil.spi.plugin.*;
                import java.nio.file.*;
                public final class ProbeFactory implements PluginFactory {
                    public String name() { return "probe-%1$s"; }
                    public int spiVersion() { return SPI_VERSION; }
                    public Plugin create(PluginSettings settings, PluginContext context) {
                        return (RequestPhase) (request, exchange) -> {
                            boolean serverVisible;
                            try {
                                Class.forName("dev.veil.server.VeilServer", false, ProbeFactory.class.getClassLoader());
                                serverVisible = true;
                            } catch (ClassNotFoundException e) {
                                serverVisible = false;
                            }
                            String loader = Thread.currentThread().getContextClassLoader()
                                    == ProbeFactory.class.getClassLoader() ? "own" : "other";
                            try {
                                Files.writeString(context.dataDir().resolve("report.txt"), "jackson="
                                        + com.fasterxml.jackson.core.JsonFactory.origin() + " server-visible="
                                        + serverVisible + " context-loader=" + loader);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                            return request;
                        };
                    }
                }
                """.formatted(flavour);
    }
}
