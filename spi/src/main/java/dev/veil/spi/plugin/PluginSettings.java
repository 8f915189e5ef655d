package dev.veil.spi.plugin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One plugin entry's settings, as written in Veil's config: values are text, lists, or nested sections. Reads are
 * typed and a wrong value fails with a message naming the full config key ({@code veil.plugins[2].words}), so a
 * plugin's settings are validated at startup as strictly as Veil's own.
 */
public final class PluginSettings {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private final String path;
    private final Map<String, Object> values;

    /**
     * Settings at a config path.
     *
     * @param path the config key of this section, such as {@code veil.plugins[2]}
     * @param values the section's values: {@code String}, {@code List} of values, or {@code Map} for sections
     */
    public PluginSettings(String path, Map<String, ?> values) {
        this.path = path;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Empty settings at a path. */
    public static PluginSettings empty(String path) {
        return new PluginSettings(path, Map.of());
    }

    /** The config key of this section. */
    public String path() {
        return path;
    }

    /** The setting names present, in config order. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** The full config key of a setting, for messages. */
    public String key(String name) {
        return path + "." + name;
    }

    /** An exception naming the setting and the problem, for {@link PluginFactory#create} to throw. */
    public PluginConfigException invalid(String name, String problem) {
        return new PluginConfigException(key(name) + ": " + problem);
    }

    /** Fails on any setting not in {@code known}, so that a misspelt setting is not silently ignored. */
    public void rejectUnknown(Set<String> known) {
        for (String name : values.keySet()) {
            if (!known.contains(name)) {
                throw invalid(name, "unknown setting; known settings: " + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    /** A text setting. */
    public Optional<String> string(String name) {
        Object value = values.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            throw invalid(name, "must be a single value");
        }
        return Optional.of(text);
    }

    /** A required text setting. */
    public String requiredString(String name) {
        return string(name).orElseThrow(() -> invalid(name, "is required"));
    }

    /** A boolean setting ({@code true} or {@code false}). */
    public boolean flag(String name, boolean fallback) {
        return string(name).map(text -> switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(name, "must be true or false, got '" + text + "'");
        }).orElse(fallback);
    }

    /** A whole-number setting. */
    public long integer(String name, long fallback) {
        return string(name).map(text -> {
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw invalid(name, "must be a whole number, got '" + text + "'");
            }
        }).orElse(fallback);
    }

    /** A duration setting, as {@link #parseDuration} reads it. */
    public Duration duration(String name, Duration fallback) {
        return string(name).map(text -> parseDuration(text).orElseThrow(() ->
                invalid(name, "'" + text + "' is not a duration; write for example 500ms, 30s, 10m"))).orElse(fallback);
    }

    /**
     * Reads a duration as every duration in Veil's config is written, Veil's own keys and plugin settings alike: a
     * whole number followed by {@code ms}, {@code s}, {@code m} or {@code h} ({@code 500ms}, {@code 30s}, {@code 10m},
     * {@code 1h}), or ISO-8601 ({@code PT1S}, {@code -PT1S}). Blanks around the text are ignored.
     *
     * @param text the duration as written
     * @return the duration, or empty when the text is not one or is too long for {@link Duration}
     */
    public static Optional<Duration> parseDuration(String text) {
        String trimmed = text.trim();
        try {
            Matcher m = DURATION.matcher(trimmed);
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                return Optional.of(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                });
            }
            return Optional.of(Duration.parse(trimmed));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A list of text values; a single value counts as a list of one. */
    public List<String> strings(String name) {
        Object value = values.get(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String text) {
            return List.of(text);
        }
        if (!(value instanceof List<?> list)) {
            throw invalid(name, "must be a list of values");
        }
        List<String> strings = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String text)) {
                throw invalid(name, "must be a list of single values");
            }
            strings.add(text);
        }
        return List.copyOf(strings);
    }

    /** A nested section. */
    public Optional<PluginSettings> section(String name) {
        Object value = values.get(name);
        if (value == null) {
            return Optional.empty();
        }
        return Optional.of(asSection(name, key(name), value));
    }

    /** A list of nested sections. */
    public List<PluginSettings> sections(String name) {
        Object value = values.get(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw invalid(name, "must be a list of sections");
        }
        List<PluginSettings> sections = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            sections.add(asSection(name, key(name) + "[" + i + "]", list.get(i)));
        }
        return List.copyOf(sections);
    }

    private PluginSettings asSection(String name, String sectionPath, Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(name, "must be a section of settings");
        }
        Map<String, Object> section = new LinkedHashMap<>();
        map.forEach((key, item) -> section.put(String.valueOf(key), item));
        return new PluginSettings(sectionPath, section);
    }

    /** The settings as text, with values hidden: settings may hold credentials. */
    @Override
    public String toString() {
        return "PluginSettings[" + path + ", keys=" + values.keySet() + "]";
    }
}
