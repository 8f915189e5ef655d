package dev.veil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The build's CycloneDX SBOMs: the server's, in its jar, lists exactly the runtime dependencies it runs with, at the
 * versions the root pom pins; every plugin has its own; {@code veil version} names the server's by its digest.
 */
class SbomTest {
    private static final Path PROJECT = Path.of(System.getProperty("veil.project.dir", ".."));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode serverSbom() throws IOException {
        try (InputStream in = SbomTest.class.getClassLoader().getResourceAsStream(BuildInfo.SBOM)) {
            assertThat(in).as("the build puts %s on the class path (cyclonedx-maven-plugin, process-classes)",
                    BuildInfo.SBOM).isNotNull();
            return JSON.readTree(in);
        }
    }

    private static Map<String, String> components(JsonNode sbom) {
        return StreamSupport.stream(sbom.path("components").spliterator(), false).collect(Collectors.toMap(
                component -> component.path("group").asText() + ":" + component.path("name").asText(),
                component -> component.path("version").asText()));
    }

    @Test
    void theServerSbomListsItsRuntimeDependenciesAtThePinnedVersions() throws IOException {
        JsonNode sbom = serverSbom();
        String rootPom = Files.readString(PROJECT.resolve("pom.xml"));

        assertThat(sbom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(sbom.path("metadata").path("component").path("name").asText()).isEqualTo("veil-server");
        Map<String, String> components = components(sbom);
        assertThat(components).contains(
                Map.entry("io.helidon.webserver:helidon-webserver", pinned(rootPom, "version.helidon")),
                Map.entry("com.fasterxml.jackson.core:jackson-databind", pinned(rootPom, "version.jackson")),
                Map.entry("org.xerial:sqlite-jdbc", pinned(rootPom, "version.sqlite-jdbc")),
                Map.entry("com.github.ben-manes.caffeine:caffeine", pinned(rootPom, "version.caffeine")),
                Map.entry("org.bouncycastle:bcprov-jdk18on", pinned(rootPom, "version.bouncycastle")),
                Map.entry("info.picocli:picocli", pinned(rootPom, "version.picocli")),
                Map.entry("io.opentelemetry:opentelemetry-exporter-prometheus",
                        pinned(rootPom, "version.opentelemetry-prometheus")),
                Map.entry("com.googlecode.libphonenumber:libphonenumber", pinned(rootPom, "version.libphonenumber")),
                Map.entry("dev.veil:veil-plugin-pii-redaction", "0.1.0"));
        assertThat(components.keySet()).as("test-only dependencies").noneMatch(name -> name.contains("junit")
                || name.contains("assertj") || name.contains("archunit") || name.contains("awaitility")
                || name.startsWith("com.openai:") || name.startsWith("com.anthropic:"));
        for (JsonNode component : sbom.path("components")) {
            String name = component.path("group").asText() + ":" + component.path("name").asText();
            assertThat(component.path("version").asText()).as(name).matches("[0-9][0-9A-Za-z.+-]*")
                    .doesNotContain("SNAPSHOT");
            assertThat(component.path("purl").asText()).as(name).startsWith("pkg:maven/");
            if (!name.startsWith("dev.veil:")) {
                assertThat(component.path("hashes").findValuesAsText("alg")).as(name).contains("SHA-256");
            }
        }
    }

    @Test
    void everyThirdPartyComponentIsTheVersionOnTheClassPath() throws IOException {
        Set<String> jars = classPathJars();

        for (Map.Entry<String, String> component : components(serverSbom()).entrySet()) {
            if (component.getKey().startsWith("dev.veil:")) {
                continue;
            }
            String artifact = component.getKey().substring(component.getKey().indexOf(':') + 1);
            assertThat(jars).as(component.getKey()).contains(artifact + "-" + component.getValue() + ".jar");
        }
    }

    @Test
    void everyPluginModuleHasItsOwnSbom() throws IOException {
        Matcher modules = Pattern.compile("<module>([^<]+)</module>")
                .matcher(Files.readString(PROJECT.resolve("plugins/pom.xml")));
        int count = 0;
        while (modules.find()) {
            String module = modules.group(1);
            Path sbom = PROJECT.resolve("plugins").resolve(module).resolve("target/veil-plugin-" + module + ".cdx.json");
            assertThat(sbom).as("the plugin %s's SBOM", module).exists();
            assertThat(JSON.readTree(sbom.toFile()).path("metadata").path("component").path("name").asText())
                    .isEqualTo("veil-plugin-" + module);
            count++;
        }
        assertThat(count).isPositive();
    }

    @Test
    void versionNamesTheRevisionAndTheSbomDigest() throws Exception {
        BuildInfo build = BuildInfo.current();
        byte[] sbom;
        try (InputStream in = SbomTest.class.getClassLoader().getResourceAsStream(BuildInfo.SBOM)) {
            sbom = in.readAllBytes();
        }

        assertThat(build.version()).isEqualTo("0.1.0");
        assertThat(build.sbomSha256()).contains(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(sbom)));
        if (Files.exists(PROJECT.resolve(".git"))) {
            assertThat(build.revision()).matches("[0-9a-f]{40}(-dirty)?");
        }
        assertThat(build.describe()).contains("veil 0.1.0", "revision " + build.revision(),
                "sbom sha256:" + build.sbomSha256().orElseThrow());
    }

    /** The file names of the jars the tests run with: surefire names them apart from its own booter jar. */
    private static Set<String> classPathJars() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return List.of(classPath.split(File.pathSeparator)).stream().map(entry -> Path.of(entry).getFileName()
                .toString()).filter(name -> name.endsWith(".jar")).collect(Collectors.toSet());
    }

    private static String pinned(String pom, String property) {
        Matcher matcher = Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)</").matcher(pom);
        assertThat(matcher.find()).as("%s in the root pom", property).isTrue();
        return matcher.group(1);
    }
}
