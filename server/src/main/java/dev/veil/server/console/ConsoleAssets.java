package dev.veil.server.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's files, read once from the classpath ({@code dev/veil/server/console/}) and kept with their content
 * type and an entity tag. Only plain file names of known types are served, so no request can name another resource.
 */
final class ConsoleAssets {
    private static final String ROOT = "dev/veil/server/console/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*\\.(html|css|js|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml");

    /**
     * One file.
     *
     * @param bytes its content
     * @param contentType its media type
     * @param etag a strong entity tag: a hash of the content
     */
    record Asset(byte[] bytes, String contentType, String etag) {
    }

    private final Map<String, Optional<Asset>> loaded = new ConcurrentHashMap<>();

    /** The file {@code name}, when it is one of the console's. */
    Optional<Asset> find(String name) {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return loaded.computeIfAbsent(name, ConsoleAssets::load);
    }

    private static Optional<Asset> load(String name) {
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String extension = name.substring(name.lastIndexOf('.') + 1);
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
            return Optional.of(new Asset(bytes, TYPES.get(extension), "\"" + hash + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException("the console's " + name + " cannot be read from the classpath", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
