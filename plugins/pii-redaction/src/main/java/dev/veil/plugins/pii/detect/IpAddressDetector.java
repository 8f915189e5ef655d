package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds IPv4 and IPv6 addresses.
 *
 * <p>A dotted quad such as {@code 1.2.3.4} could be a four-part version number. It is reported as an address unless
 * it is marked as a version: glued to a letter ({@code v1.2.3.4}), preceded by a word such as "version", "build" or
 * "release", or part of a longer dotted run. Redaction is reversed in the answer, so masking a version costs little, while letting a
 * client's address through cannot be undone. Three-part versions such as {@code 6.8.10} are never addresses.
 *
 * <p>IPv6 is only looked for around {@code :}, and needs three groups or more, so clock times, {@code host:port}
 * and {@code Class::method} do not qualify.
 */
public final class IpAddressDetector implements Detector {
    private static final int MIN_IPV6_GROUPS = 3;

    @Override
    public void detect(String text, List<Finding> findings) {
        findIpv4(text, findings);
        findIpv6(text, findings);
    }

    private static void findIpv4(String text, List<Finding> findings) {
        int dot = text.indexOf('.');
        while (dot >= 0) {
            int start = dot;
            while (start > 0 && dot - start < 3 && Chars.isDigit(text.charAt(start - 1))) {
                start--;
            }
            int end = start < dot ? ipv4End(text, start) : -1;
            // 0.0.0.0 is "every interface" in a listen address, nobody's address.
            if (end > 0 && !Chars.attachedBefore(text, start) && !continuesAfter(text, end)
                    && !afterVersionWord(text, start) && !text.startsWith("0.0.0.0", start)) {
                findings.add(new Finding(start, end, PiiTypes.IP_ADDRESS));
                dot = text.indexOf('.', end);
            } else {
                dot = text.indexOf('.', dot + 1);
            }
        }
    }

    /** The end of four dot-separated octets from {@code start}, each 0-255 without leading zeros, or -1. */
    static int ipv4End(String text, int start) {
        int position = start;
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (position >= text.length() || text.charAt(position) != '.') {
                    return -1;
                }
                position++;
            }
            int digitsStart = position;
            int value = 0;
            while (position < text.length() && position - digitsStart < 3 && Chars.isDigit(text.charAt(position))) {
                value = value * 10 + (text.charAt(position) - '0');
                position++;
            }
            int digits = position - digitsStart;
            if (digits == 0 || value > 255 || (digits > 1 && text.charAt(digitsStart) == '0')) {
                return -1;
            }
        }
        return position;
    }

    /** A port ({@code :8080}) or range ({@code -10.0.0.9}) may follow an address; a letter or fifth number not. */
    private static boolean continuesAfter(String text, int end) {
        char after = charAt(text, end);
        return Chars.isWord(after) || (after == '.' && Chars.isDigit(charAt(text, end + 1)));
    }

    private static boolean afterVersionWord(String text, int start) {
        if (imageTag(text, start)) {
            return true;
        }
        int wordEnd = start;
        while (wordEnd > 0 && (text.charAt(wordEnd - 1) == ' ' || text.charAt(wordEnd - 1) == '=')) {
            wordEnd--;
        }
        if (wordEnd == start) {
            return false;
        }
        int wordStart = wordEnd;
        while (wordStart > 0 && Chars.isLetter(text.charAt(wordStart - 1))) {
            wordStart--;
        }
        return VERSION_WORDS.contains(text.substring(wordStart, wordEnd).toLowerCase(java.util.Locale.ROOT));
    }

    /** {@code registry.example.com/ingest:7.4.27.153}: the tag of a container image, after a path. */
    private static boolean imageTag(String text, int start) {
        if (start < 2 || text.charAt(start - 1) != ':' || !Chars.isLetterOrDigit(text.charAt(start - 2))) {
            return false;
        }
        for (int i = start - 2; i >= 0 && start - i < 128; i--) {
            char c = text.charAt(i);
            if (c == '/') {
                return true;
            }
            if (Character.isWhitespace(c) || c == '"' || c == '\'' || c == '=') {
                return false;
            }
        }
        return false;
    }

    /** Words before a dotted quad that make it a version: "version 12.4.6.51", "Build 6.6.1.9", "release 8.5.1.3". */
    private static final java.util.Set<String> VERSION_WORDS = java.util.Set.of("version", "versions", "build",
            "release", "rel", "firmware", "fw", "rev", "revision", "package", "tag", "tagged", "patch", "sdk", "api",
            "app", "client", "agent", "kernel", "os", "ver", "v", "bump", "upgrade", "upgraded", "downgrade",
            "software", "engine", "runtime", "driver", "bios", "image", "plugin", "module", "library", "update");


    private static void findIpv6(String text, List<Finding> findings) {
        int colon = text.indexOf(':');
        while (colon >= 0) {
            int start = colon;
            while (start > 0 && isIpv6Char(text.charAt(start - 1))) {
                start--;
            }
            int end = colon + 1;
            while (end < text.length() && (isIpv6Char(text.charAt(end)) || text.charAt(end) == '.')) {
                end++;
            }
            while (end > colon && text.charAt(end - 1) == '.') {
                end--;
            }
            if (text.charAt(end - 1) == ':' && charAt(text, end - 2) != ':') {
                end--;
            }
            if (text.charAt(start) == ':' && charAt(text, start + 1) != ':') {
                start++;
            }
            if (end - start > 2 && !Chars.attachedBefore(text, start) && !Chars.isWord(charAt(text, end))
                    && validIpv6(text, start, end)) {
                findings.add(new Finding(start, end, PiiTypes.IP_ADDRESS));
            }
            colon = text.indexOf(':', Math.max(end, colon + 1));
        }
    }

    private static char charAt(String text, int index) {
        return index >= 0 && index < text.length() ? text.charAt(index) : ' ';
    }

    private static boolean isIpv6Char(char c) {
        return Chars.isHex(c) || c == ':';
    }

    /** RFC 4291 text form: eight groups of 1-4 hex digits, one {@code ::} for a run of zeros, an IPv4 tail. */
    private static boolean validIpv6(String text, int start, int end) {
        int groups = 0;
        int nonEmpty = 0;
        boolean compressed = false;
        int position = start;
        if (text.startsWith("::", position)) {
            compressed = true;
            position += 2;
        }
        while (position < end) {
            int groupStart = position;
            while (position < end && Chars.isHex(text.charAt(position))) {
                position++;
            }
            if (position < end && text.charAt(position) == '.') {
                if (ipv4End(text, groupStart) != end) {
                    return false;
                }
                groups += 2;
                nonEmpty += 2;
                break;
            }
            int length = position - groupStart;
            if (length == 0 || length > 4) {
                return false;
            }
            groups++;
            nonEmpty++;
            if (position == end) {
                break;
            }
            position++;
            if (position < end && text.charAt(position) == ':') {
                if (compressed) {
                    return false;
                }
                compressed = true;
                position++;
            } else if (position == end) {
                return false;
            }
        }
        boolean complete = compressed ? groups < 8 : groups == 8;
        return complete && nonEmpty >= MIN_IPV6_GROUPS;
    }
}
