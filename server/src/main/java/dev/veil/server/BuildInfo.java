package dev.veil.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

/**
 * What this build of Veil is, as the build wrote it into the jar: the version, the git revision it was built from
 * (read at build time, so a running Veil needs no {@code .git}) and its CycloneDX SBOM, identified by its SHA-256.
 *
 * @param version the project version
 * @param revision the full commit id, with {@code -dirty} when the work tree had changes; {@code unknown} when built
 *     outside a git checkout
 * @param sbomSha256 the hex SHA-256 of the SBOM in the jar, when the build made one
 */
public record BuildInfo(String version, String revision, Optional<String> sbomSha256) {
    /** Where the build puts the SBOM of the server and its runtime dependencies. */
    public static final String SBOM = "META-INF/sbom/veil-server.cdx.json";
    private static final String PROPERTIES = "META-INF/veil-build.properties";
    private static final String UNKNOWN = "unknown";

    /** The build information on the class path of this class. */
    public static BuildInfo current() {
        ClassLoader loader = BuildInfo.class.getClassLoader();
        Properties properties = new Properties();
        try (InputStream in = loader.getResourceAsStream(PROPERTIES)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROPERTIES, e);
        }
        String revision = properties.getProperty("revision", UNKNOWN);
        Optional<String> digest;
        try (InputStream in = loader.getResourceAsStream(SBOM)) {
            digest = in == null ? Optional.empty() : Optional.of(sha256(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SBOM, e);
        }
        return new BuildInfo(properties.getProperty("version", UNKNOWN), revision, digest);
    }

    /** What {@code veil version} prints. */
    public String describe() {
        return "veil " + version + "\nrevision " + revision + "\nsbom " + sbomSha256.map(hex -> "sha256:" + hex
                + " (" + SBOM + " in the server jar)").orElse("none (this build made no SBOM)") + "\n";
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
