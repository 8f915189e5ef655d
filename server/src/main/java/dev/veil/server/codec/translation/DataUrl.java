package dev.veil.server.codec.translation;

import java.util.Locale;
import java.util.Optional;

/**
 * An image given inline as a {@code data:<media type>;base64,<data>} URL, split into its parts.
 *
 * @param mediaType the media type, for example {@code image/png}
 * @param base64 the base64 data, unchanged
 */
public record DataUrl(String mediaType, String base64) {

    /** The parts of {@code url} if it is a base64 data URL. */
    public static Optional<DataUrl> parse(String url) {
        if (!url.regionMatches(true, 0, "data:", 0, 5)) {
            return Optional.empty();
        }
        int comma = url.indexOf(',');
        if (comma < 0) {
            return Optional.empty();
        }
        String meta = url.substring(5, comma);
        if (!meta.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            return Optional.empty();
        }
        String mediaType = meta.substring(0, meta.length() - ";base64".length());
        return Optional.of(new DataUrl(mediaType.isEmpty() ? "application/octet-stream" : mediaType,
                url.substring(comma + 1)));
    }

    /** The media type of an image URL guessed from its file extension, for providers that require one. */
    public static String guessMediaType(String url) {
        String path = url.toLowerCase(Locale.ROOT);
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.endsWith(".png")) {
            return "image/png";
        }
        if (path.endsWith(".gif")) {
            return "image/gif";
        }
        if (path.endsWith(".webp")) {
            return "image/webp";
        }
        return "image/jpeg";
    }
}
