package dev.veil.plugins.retention;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.veil.spi.plugin.PluginConfigException;
import dev.veil.spi.plugin.PluginSettings;

/**
 * The plugin's validated settings: what makes an exchange zero-retention.
 *
 * @param all whether every exchange is zero-retention
 * @param tenants the tenants whose every exchange is zero-retention, as authentication names them
 * @param labels key label names mapped to the values that make a key zero-retention
 * @param dataClasses the {@code data_class} values of {@code x-veil-metadata} that require zero retention, in lower
 *                    case
 */
record RetentionSettings(boolean all, Set<String> tenants, Map<String, Set<String>> labels, Set<String> dataClasses) {
    static final Set<String> KEYS = Set.of("all", "tenants", "labels", "data-classes");

    RetentionSettings {
        tenants = Set.copyOf(tenants);
        labels = Map.copyOf(labels);
        dataClasses = Set.copyOf(dataClasses);
    }

    /** Reads and checks the settings; a bad one fails with a message naming its key. */
    static RetentionSettings from(PluginSettings settings) {
        settings.rejectUnknown(KEYS);
        boolean all = settings.flag("all", false);
        Set<String> tenants = names(settings, "tenants", false);
        Set<String> dataClasses = names(settings, "data-classes", true);
        Map<String, Set<String>> labels = new LinkedHashMap<>();
        settings.section("labels").ifPresent(section -> {
            for (String label : section.keys()) {
                if (label.isBlank()) {
                    throw settings.invalid("labels", "a label name must not be blank");
                }
                labels.put(label, names(section, label, false));
            }
        });
        boolean narrowed = !tenants.isEmpty() || !labels.isEmpty() || !dataClasses.isEmpty();
        if (all && narrowed) {
            throw settings.invalid("all", "true already makes every request zero-retention; remove tenants, labels "
                    + "and data-classes, or set all: false");
        }
        if (!all && !narrowed) {
            throw new PluginConfigException(settings.path() + ": zero-retention has nothing to apply zero retention "
                    + "to; list tenants, labels or data-classes, or set all: true");
        }
        return new RetentionSettings(all, tenants, labels, dataClasses);
    }

    /** A non-empty list of non-blank names, trimmed; in lower case when matching ignores case. */
    private static Set<String> names(PluginSettings settings, String name, boolean lowerCase) {
        List<String> values = settings.strings(name);
        if (settings.keys().contains(name) && values.isEmpty()) {
            throw settings.invalid(name, "must list at least one value, or be left out");
        }
        Set<String> names = new LinkedHashSet<>();
        for (String value : values) {
            String trimmed = value.trim();
            if (trimmed.isEmpty()) {
                throw settings.invalid(name, "must not contain a blank value");
            }
            names.add(lowerCase ? trimmed.toLowerCase(Locale.ROOT) : trimmed);
        }
        return names;
    }
}
