package dev.veil.server.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads Veil's YAML config and validates every key up front, so that a mistake stops startup with a message naming
 * the key and the fix, instead of failing a request later. The YAML becomes plain maps, lists and text here; each
 * section then parses itself ({@link VeilConfig#from} and the sections it calls) through a {@link ConfigReader},
 * which substitutes environment references ({@link EnvSubstitution}) in each value it reads.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Loads and validates a YAML config file. */
    public static VeilConfig load(Path file, Function<String, String> environment) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("--config", "file " + file + " does not exist or is not a regular file");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | UncheckedIOException e) {
            throw new ConfigException("--config", "file " + file + " cannot be read (" + e.getClass().getSimpleName()
                    + ")");
        }
        // Parsed from the text the revision is taken of: a file replaced meanwhile cannot be run under another's name.
        return parse(read(file.toString(), yamlSource(text)), environment, revision(text));
    }

    /** Validates a YAML config given as text. */
    public static VeilConfig fromYaml(String yaml, Function<String, String> environment) {
        return parse(read("config", yamlSource(yaml)), environment, revision(yaml));
    }

    /**
     * Validates a YAML config given as text, with more providers: {@code providers} is a YAML map of provider entries,
     * and those {@code enabled} names join {@code veil.providers}. The default config enables its optional providers
     * this way, so that which ones run is decided without writing YAML text.
     *
     * @throws IllegalArgumentException if {@code enabled} names a provider {@code providers} lacks, or one the config
     *                                  already has
     */
    public static VeilConfig fromYaml(String yaml, String providers, Set<String> enabled,
                                      Function<String, String> environment) {
        Map<String, Object> tree = read("config", yamlSource(yaml));
        Map<String, Object> optional = read("providers", yamlSource(providers));
        Map<String, Object> configured = map(map(tree, "veil"), "providers");
        for (String name : enabled) {
            if (!optional.containsKey(name) || configured.containsKey(name)) {
                throw new IllegalArgumentException("provider " + name + " is not optional");
            }
            configured.put(name, optional.get(name));
        }
        return parse(tree, environment, revision(yaml + "\n" + providers + "\n" + new java.util.TreeSet<>(enabled)));
    }

    /** The first 12 hex digits of the SHA-256 of {@code text}. */
    private static String revision(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static ConfigSource yamlSource(String yaml) {
        return ConfigSources.create(yaml, MediaTypes.APPLICATION_X_YAML);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String name) {
        return (Map<String, Object>) parent.computeIfAbsent(name, missing -> new LinkedHashMap<String, Object>());
    }

    /** The YAML document as maps, lists and text, before any environment reference is substituted. */
    private static Map<String, Object> read(String name, ConfigSource source) {
        Config root;
        try {
            // Only the file counts: ambient env vars or system properties silently overriding keys would make a
            // config file lie about what runs.
            root = Config.builder()
                    .sources(() -> source)
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .disableValueResolving()
                    .disableKeyResolving()
                    .disableFilterServices()
                    .build();
        } catch (RuntimeException e) {
            throw syntaxError(name, e);
        }
        try {
            return root.type() == Config.Type.OBJECT ? children(root) : new LinkedHashMap<>();
        } catch (RuntimeException e) {
            throw new ConfigException(name, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Map<String, Object> children(Config node) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Config child : node.asNodeList().orElse(List.of())) {
            map.put(child.name(), plain(child));
        }
        return map;
    }

    private static Object plain(Config node) {
        return switch (node.type()) {
            case OBJECT -> children(node);
            case LIST -> node.asNodeList().orElse(List.of()).stream().map(ConfigLoader::plain).toList();
            default -> node.asString().orElse("");
        };
    }

    /**
     * Says where the YAML broke and why, but not what the line holds: SnakeYAML quotes the offending line, and that
     * line may be an API key.
     */
    private static ConfigException syntaxError(String name, RuntimeException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                return new ConfigException(name, "is not valid YAML: " + yaml.getProblem() + " at line "
                        + (yaml.getProblemMark().getLine() + 1) + ", column "
                        + (yaml.getProblemMark().getColumn() + 1));
            }
        }
        return new ConfigException(name, "cannot be read as YAML");
    }

    private static VeilConfig parse(Map<String, Object> tree, Function<String, String> environment,
                                    String revision) {
        try {
            return VeilConfig.from(ConfigReader.root(tree, new EnvSubstitution(environment)), revision);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigException configException) {
                    throw configException;
                }
            }
            throw new ConfigException("config", "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
