package dev.veil.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import dev.veil.spi.plugin.PluginFactory;

/**
 * Builds plugin JARs the way a plugin author's build would: compiles sources against veil-spi alone (nothing of the
 * server on the class path) and packs classes and resources into a JAR.
 */
public final class PluginJars {
    private PluginJars() {
    }

    /** Builds a JAR from a source tree laid out like a Maven project ({@code src/main/java}, {@code src/main/resources}). */
    public static Path buildProject(Path project, Path jar, String version) throws IOException {
        Map<String, String> sources = new java.util.LinkedHashMap<>();
        Map<String, String> resources = new java.util.LinkedHashMap<>();
        collect(project.resolve("src/main/java"), sources);
        collect(project.resolve("src/main/resources"), resources);
        return build(sources, resources, jar, version);
    }

    /**
     * Builds a JAR from sources and resources given as relative path to content.
     *
     * @param sources Java sources, e.g. {@code com/acme/Probe.java}
     * @param resources other files, e.g. {@code META-INF/services/dev.veil.spi.plugin.PluginFactory}
     */
    public static Path build(Map<String, String> sources, Map<String, String> resources, Path jar, String version)
            throws IOException {
        Path work = Files.createTempDirectory("plugin-build");
        Path src = work.resolve("src");
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> arguments = new ArrayList<>(List.of("-d", classes.toString(), "--release", "21", "-proc:none",
                "-classpath", spiLocation().toString()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no Java compiler: run the tests on a JDK, not a JRE");
        }
        if (compiler.run(null, null, null, arguments.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("plugin sources did not compile; see the compiler output above");
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> compiled = Files.walk(classes)) {
            for (Path path : compiled.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(path));
                out.closeEntry();
            }
            for (Map.Entry<String, String> resource : resources.entrySet()) {
                out.putNextEntry(new JarEntry(resource.getKey()));
                out.write(resource.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    private static void collect(Path root, Map<String, String> files) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(Files::isRegularFile).sorted().toList()) {
                files.put(root.relativize(path).toString().replace('\\', '/'), Files.readString(path));
            }
        }
    }

    private static Path spiLocation() {
        try {
            return Path.of(PluginFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
