package dev.veil.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.veil.spi.plugin.PluginSettings;

/**
 * One node of the config as read from YAML (a map, a list or a single value, or absent), which knows its full key and
 * reads typed settings under it. Every read substitutes environment references in the value it reads, and every
 * mistake fails with a {@link ConfigException} naming the full key ({@code veil.plugins[0].timeout}) and the fix.
 * Each config section parses itself through one of these, so the grammar of a value is the same everywhere.
 */
final class ConfigReader {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|kb|mb|gb|kib|mib|gib)",
            Pattern.CASE_INSENSITIVE);

    private final String key;
    private final String name;
    /** A {@code Map<String, Object>}, a {@code List<Object>} or a {@code String}; null when the node is absent. */
    private final Object value;
    private final EnvSubstitution substitution;

    private ConfigReader(String key, String name, Object value, EnvSubstitution substitution) {
        this.key = key;
        this.name = name;
        this.value = value;
        this.substitution = substitution;
    }

    /**
     * The whole config.
     *
     * @param tree the YAML document as maps, lists and single values (text, before substitution)
     */
    static ConfigReader root(Map<String, ?> tree, EnvSubstitution substitution) {
        return new ConfigReader("", "", tree, substitution);
    }

    /** This node's full key, such as {@code veil.opa}. */
    String key() {
        return key;
    }

    /** The full key of a setting under this node. */
    String key(String setting) {
        return key.isEmpty() ? setting : key + "." + setting;
    }

    /** The last part of this node's key: the name a map gives it, such as a provider's name. */
    String name() {
        return name;
    }

    boolean exists() {
        return value != null;
    }

    boolean isMap() {
        return value instanceof Map<?, ?>;
    }

    /** A failure naming this node. */
    ConfigException invalid(String problem) {
        return new ConfigException(key, problem);
    }

    /** A failure naming a setting under this node. */
    ConfigException invalid(String setting, String problem) {
        return new ConfigException(key(setting), problem);
    }

    /** The node under {@code setting}; absent when there is none, or when this node is not a map. */
    ConfigReader get(String setting) {
        Object child = value instanceof Map<?, ?> map ? map.get(setting) : null;
        return new ConfigReader(key(setting), setting, child, substitution);
    }

    /**
     * Fails unless this node is absent or a map whose settings are all in {@code known}, so that a misspelt key stops
     * startup instead of being ignored.
     *
     * @return this node, to read on
     */
    ConfigReader rejectUnknown(Set<String> known) {
        for (String setting : names()) {
            if (!known.contains(setting)) {
                throw invalid(setting, "unknown key; known keys here: " + String.join(", ",
                        known.stream().sorted().toList()));
            }
        }
        return this;
    }

    /** The names of this map's settings, as the YAML parser gives them; none when the node is absent. */
    List<String> names() {
        if (!exists()) {
            return List.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid("must be a map of settings");
        }
        return map.keySet().stream().map(String::valueOf).toList();
    }

    /**
     * The entries of the map under {@code setting}, ordered by name: YAML maps have no order worth trusting, and
     * ordering by name keeps listings and prefix routing deterministic.
     */
    List<ConfigReader> entries(String setting) {
        ConfigReader node = get(setting);
        if (!node.exists()) {
            return List.of();
        }
        if (!(node.value instanceof Map<?, ?>)) {
            throw node.invalid("must be a map of names to settings");
        }
        return node.names().stream().sorted().map(node::get).toList();
    }

    /**
     * The items of the list under {@code setting}, each keyed {@code setting[i]}.
     *
     * @param notAList the problem to report when the setting is there but is not a list, with an example
     */
    List<ConfigReader> items(String setting, String notAList) {
        ConfigReader node = get(setting);
        if (!node.exists()) {
            return List.of();
        }
        if (!(node.value instanceof List<?>)) {
            throw node.invalid(notAList);
        }
        return node.listItems();
    }

    private List<ConfigReader> listItems() {
        List<?> list = (List<?>) value;
        List<ConfigReader> items = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String item = "[" + i + "]";
            items.add(new ConfigReader(key + item, name + item, list.get(i), substitution));
        }
        return items;
    }

    /** This node as a single value, environment references substituted. */
    Optional<String> value() {
        if (!exists()) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            throw invalid("must be a single value");
        }
        return Optional.of(substitution.apply(key, text));
    }

    /** A single value. */
    Optional<String> string(String setting) {
        return get(setting).value();
    }

    /** A whole number that fits an {@code int}. */
    Optional<Integer> integer(String setting) {
        return string(setting).map(text -> {
            try {
                return Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                throw invalid(setting, "must be a whole number, got '" + text + "'");
            }
        });
    }

    /** {@code true} or {@code false}, in any case. */
    Optional<Boolean> bool(String setting) {
        return string(setting).map(text -> switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(setting, "must be true or false, got '" + text + "'");
        });
    }

    /** A duration, in the grammar plugin settings share ({@link PluginSettings#parseDuration}). */
    Optional<Duration> duration(String setting) {
        return string(setting).map(text -> PluginSettings.parseDuration(text).orElseThrow(() ->
                invalid(setting, "'" + text + "' is not a duration; write for example 500ms, 30s, 10m")));
    }

    /** A duration above zero. */
    Optional<Duration> positiveDuration(String setting) {
        return duration(setting).map(duration -> {
            if (duration.isNegative() || duration.isZero()) {
                throw invalid(setting, "must be above zero, got '" + string(setting).orElse("") + "'");
            }
            return duration;
        });
    }

    /**
     * A number of bytes: a whole number, with an optional unit in any case: {@code b}, decimal {@code kb}, {@code mb},
     * {@code gb} or binary {@code kib}, {@code mib}, {@code gib}.
     */
    Optional<Long> size(String setting) {
        return string(setting).map(text -> {
            Matcher m = SIZE.matcher(text.trim());
            if (!m.matches()) {
                throw invalid(setting, "'" + text + "' is not a size; write for example 1048576, 512KiB or 32MiB");
            }
            long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "kb" -> 1_000L;
                case "mb" -> 1_000_000L;
                case "gb" -> 1_000_000_000L;
                case "kib" -> 1L << 10;
                case "mib" -> 1L << 20;
                case "gib" -> 1L << 30;
                default -> 1L;
            };
            try {
                return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            } catch (ArithmeticException | NumberFormatException e) {
                throw invalid(setting, "'" + text + "' is too large a size");
            }
        });
    }

    /** An absolute {@code http://} or {@code https://} URL, without a trailing slash. */
    Optional<URI> url(String setting) {
        return string(setting).map(text -> {
            try {
                URI uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw invalid(setting, "'" + withoutSecrets(text)
                            + "' must be an absolute http:// or https:// URL");
                }
                return uri;
            } catch (URISyntaxException e) {
                throw invalid(setting, "'" + withoutSecrets(text) + "' is not a valid URL");
            }
        });
    }

    /** A URL as an error message may show it: credentials before the host and the query, which may hold keys, cut. */
    private static String withoutSecrets(String url) {
        return url.replaceFirst("//[^/@]*@", "//").replaceFirst("[?#].*", "");
    }

    /** A list of single values; none when absent. */
    List<String> strings(String setting) {
        return items(setting, "must be a list, for example [a, b]").stream().map(item -> item.value().orElseThrow())
                .toList();
    }

    /** A map of names to single values, in the YAML parser's order; empty when absent. */
    Map<String, String> stringMap(String setting) {
        ConfigReader node = get(setting);
        if (node.exists() && !(node.value instanceof Map<?, ?>)) {
            throw node.invalid("must be a map, for example {name: value}");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : node.names()) {
            map.put(entry, node.string(entry).orElseThrow());
        }
        return map;
    }

    /**
     * This node as plain values ({@code String}, {@code List} and {@code Map}), environment references substituted:
     * the shape {@link PluginSettings} reads.
     */
    Object plain() {
        if (value instanceof Map<?, ?>) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (String setting : names()) {
                map.put(setting, get(setting).plain());
            }
            return map;
        }
        if (value instanceof List<?>) {
            return listItems().stream().map(ConfigReader::plain).toList();
        }
        return value().orElse("");
    }

    /** An environment variable's value, read directly: for settings that name a variable rather than refer to one. */
    Optional<String> environmentVariable(String variable) {
        return substitution.variable(variable);
    }
}
