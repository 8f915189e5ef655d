package dev.veil.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.providers.openai.OpenAiPreset;
import dev.veil.server.storage.PrivateFiles;

/**
 * The config Veil runs on without {@code --config}: the resource {@code default-config.yaml}, read by
 * {@link ConfigLoader} like any config file, with every provider of {@code default-providers.yaml} whose usual
 * environment variables are set: loopback only, the built-in {@code veil/echo} model. The master key comes from
 * {@code VEIL_MASTER_KEY}, or is generated once into the data dir so that a first run needs no setup and no secret
 * ever appears in a log. Policy checks are always on, against the OPA server {@code VEIL_OPA_URL} names
 * ({@code ./veil run} sets it to the one it starts); without it Veil refuses to start. The audit log is on, in
 * {@code VEIL_AUDIT_MODE} ({@code sync} unless set), under a key generated once into {@code <data-dir>/audit-key}.
 * This run's own values (the data dir, the generated keys) reach the YAML as variables, never as YAML text, so any
 * path works.
 */
final class DefaultConfig {
    private DefaultConfig() {
    }

    static VeilConfig create(Function<String, String> environment) {
        // A blank variable counts as unset, as an empty one does: it cannot hold a key, a URL or a path.
        Function<String, Optional<String>> variable = name -> Optional.ofNullable(environment.apply(name))
                .filter(value -> !value.isBlank());
        Path dataDir = Path.of(variable.apply("VEIL_DATA_DIR").orElse(".veil"));
        Map<String, String> run = new HashMap<>();
        run.put("VEIL_DATA_DIR", dataDir.toString());
        run.put("VEIL_AUDIT_KEY_FILE", auditKeyFile(dataDir).toString());
        run.put("VEIL_MASTER_KEY", variable.apply("VEIL_MASTER_KEY").orElseGet(() -> masterKeyFile(dataDir)));
        // The region as the AWS CLI resolves it; us-east-1, the YAML's default, when neither is set.
        variable.apply("AWS_REGION").or(() -> variable.apply("AWS_DEFAULT_REGION"))
                .ifPresent(region -> run.put("AWS_REGION", region));
        Set<String> enabled = new TreeSet<>();
        optionalProviders().forEach((provider, variables) -> {
            if (variables.stream().allMatch(name -> variable.apply(name).isPresent())) {
                enabled.add(provider);
            }
        });
        return ConfigLoader.fromYaml(resource("default-config.yaml"), resource("default-providers.yaml"), enabled,
                name -> run.containsKey(name) ? run.get(name) : variable.apply(name).orElse(null));
    }

    /** The providers of {@code default-providers.yaml}, each with the environment variables that enable it. */
    static Map<String, List<String>> optionalProviders() {
        Map<String, List<String>> providers = new TreeMap<>(Map.of(
                "openai", List.of("OPENAI_API_KEY"),
                "anthropic", List.of("ANTHROPIC_API_KEY"),
                "gemini", List.of("GEMINI_API_KEY"),
                "azure", List.of("AZURE_OPENAI_API_KEY"),
                "ollama", List.of("OLLAMA_HOST"),
                "vllm", List.of("VLLM_BASE_URL"),
                "bedrock", List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")));
        for (OpenAiPreset preset : OpenAiPreset.values()) {
            if (preset.requiresKey()) {
                preset.keyVariable().ifPresent(key -> providers.put(preset.configName(), List.of(key)));
            }
        }
        return providers;
    }

    private static String resource(String name) {
        try (InputStream in = DefaultConfig.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }

    /** The path of the generated master key, for telling the user where to find it. */
    static Path masterKeyPath(Path dataDir) {
        return dataDir.resolve("master-key");
    }

    /** The path of the audit log's key. */
    static Path auditKeyPath(Path dataDir) {
        return dataDir.resolve("audit-key");
    }

    /**
     * The audit key file, generated (random, readable only by its owner) on the first run. Never generated when an
     * audit log already exists: a log whose key is lost must fail to open, not continue under a new key.
     */
    private static Path auditKeyFile(Path dataDir) {
        Path file = auditKeyPath(dataDir);
        if (Files.exists(file) || Files.exists(dataDir.resolve(dev.veil.server.config.AuditConfig.DEFAULT_FILE))) {
            return file;
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        writePrivate(file, java.util.Base64.getEncoder().encodeToString(random) + "\n");
        return file;
    }

    private static void writePrivate(Path file, String content) {
        try {
            PrivateFiles.createDirectories(file.toAbsolutePath().getParent());
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                        "rw-------")));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the data dir's own permissions protect the file.
                Files.createFile(file);
            }
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }

    private static String masterKeyFile(Path dataDir) {
        Path file = masterKeyPath(dataDir);
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            PrivateFiles.createDirectories(dataDir);
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String key = "sk-veil-" + HexFormat.of().formatHex(random);
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the data dir's own permissions protect the file.
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the master key file " + file, e);
        }
    }
}
