package dev.veil.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;

import dev.veil.server.config.ConfigLoader;
import dev.veil.server.config.VeilConfig;
import dev.veil.server.providers.openai.OpenAiPreset;
import dev.veil.server.storage.PrivateFiles;

/**
 * The config Veil runs on without {@code --config}: loopback only, the built-in {@code veil/echo} model, and every
 * provider whose usual environment variable holds a key. The master key comes from {@code VEIL_MASTER_KEY}, or is
 * generated once into the data dir so that a first run needs no setup and no secret ever appears in a log. Policy
 * checks are always on, against the OPA server {@code VEIL_OPA_URL} names ({@code ./veil run} sets it to the one it
 * starts); without it Veil refuses to start.
 * The audit log is on, in {@code VEIL_AUDIT_MODE} ({@code sync} unless set), under a key generated once into
 * {@code <data-dir>/audit-key}.
 */
final class DefaultConfig {
    /** Environment variables that enable a provider, with the provider entry they enable. */
    private static final Map<String, String> PROVIDERS_BY_VARIABLE = Map.of(
            "OPENAI_API_KEY", "openai: {kind: openai, api-key: \"${OPENAI_API_KEY}\"}",
            "ANTHROPIC_API_KEY", "anthropic: {kind: anthropic, api-key: \"${ANTHROPIC_API_KEY}\"}",
            "GEMINI_API_KEY", "gemini: {kind: gemini, api-key: \"${GEMINI_API_KEY}\"}",
            "AZURE_OPENAI_API_KEY", "azure: {kind: azure-openai, base-url: \"${AZURE_OPENAI_ENDPOINT}\", "
                    + "api-key: \"${AZURE_OPENAI_API_KEY}\"}",
            "OLLAMA_HOST", "ollama: {kind: openai-compatible, preset: ollama, base-url: \"${OLLAMA_HOST}/v1\"}",
            "VLLM_BASE_URL", "vllm: {kind: openai-compatible, preset: vllm, base-url: \"${VLLM_BASE_URL}\", "
                    + "api-key: \"${VLLM_API_KEY:-}\"}");

    private DefaultConfig() {
    }

    static VeilConfig create(Function<String, String> environment) {
        Path dataDir = Path.of(value(environment, "VEIL_DATA_DIR", ".veil"));
        String masterKey = environment.apply("VEIL_MASTER_KEY");
        boolean generated = masterKey == null || masterKey.isEmpty();
        StringBuilder yaml = new StringBuilder()
                .append("server: {host: \"${VEIL_HOST:-127.0.0.1}\", port: \"${VEIL_PORT:-8080}\"}\n")
                .append("veil:\n")
                .append("  data-dir: \"").append(dataDir).append("\"\n")
                .append("  master-key: \"${").append(generated ? "VEIL_GENERATED_MASTER_KEY" : "VEIL_MASTER_KEY")
                .append("}\"\n")
                .append("  opa: {url: \"${VEIL_OPA_URL}\"}\n")
                .append("  audit: {key-file: \"").append(auditKeyFile(dataDir)).append("\", mode: \"")
                .append(value(environment, "VEIL_AUDIT_MODE", "sync")).append("\"}\n")
                // Privacy on by default: prompts leave without personal data, and dispatch retries and routes
                // around failing providers.
                .append("  plugins:\n")
                .append("    - name: pii-redaction\n")
                .append("    - name: routing\n")
                .append("  providers:\n")
                .append("    veil: {kind: echo}\n");
        for (Map.Entry<String, String> provider : new java.util.TreeMap<>(PROVIDERS_BY_VARIABLE).entrySet()) {
            if (isSet(environment, provider.getKey())) {
                yaml.append("    ").append(provider.getValue()).append('\n');
            }
        }
        if (isSet(environment, "AWS_ACCESS_KEY_ID") && isSet(environment, "AWS_SECRET_ACCESS_KEY")) {
            // The AWS CLI's variables; the region as the CLI resolves it, us-east-1 when none is set.
            String region = isSet(environment, "AWS_REGION") ? "${AWS_REGION}"
                    : isSet(environment, "AWS_DEFAULT_REGION") ? "${AWS_DEFAULT_REGION}" : "us-east-1";
            yaml.append("    bedrock: {kind: bedrock, region: \"").append(region)
                    .append("\", aws-access-key-id: \"${AWS_ACCESS_KEY_ID}\", aws-secret-access-key: ")
                    .append("\"${AWS_SECRET_ACCESS_KEY}\"")
                    .append(isSet(environment, "AWS_SESSION_TOKEN") ? ", aws-session-token: \"${AWS_SESSION_TOKEN}\""
                            : "")
                    .append("}\n");
        }
        for (OpenAiPreset preset : OpenAiPreset.values()) {
            if (preset.requiresKey() && preset.keyVariable().filter(v -> isSet(environment, v)).isPresent()) {
                yaml.append("    ").append(preset.configName()).append(": {kind: openai-compatible, preset: ")
                        .append(preset.configName()).append(", api-key: \"${").append(preset.keyVariable().get())
                        .append("}\"}\n");
            }
        }
        String generatedKey = generated ? masterKeyFile(dataDir) : null;
        return ConfigLoader.fromYaml(yaml.toString(),
                name -> "VEIL_GENERATED_MASTER_KEY".equals(name) ? generatedKey : environment.apply(name));
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

    private static boolean isSet(Function<String, String> environment, String name) {
        String value = environment.apply(name);
        return value != null && !value.isBlank();
    }

    private static String value(Function<String, String> environment, String name, String fallback) {
        String value = environment.apply(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
