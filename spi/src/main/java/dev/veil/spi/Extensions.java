package dev.veil.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Fields the canonical model does not know, by name, each value kept verbatim in arrival order.
 *
 * <p>When client and provider speak the same wire format, these fields are forwarded unchanged, so a parameter the
 * provider introduced yesterday works through Veil today. Adapters that translate to another wire format ignore them.
 *
 * @param fields unknown fields by their wire name; iteration follows arrival order
 */
public record Extensions(Map<String, RawJson> fields) {
    /** No unknown fields. */
    public static final Extensions NONE = new Extensions(Map.of());

    public Extensions {
        fields = fields.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Returns the unknown fields as given, or {@link #NONE} when there are none. */
    public static Extensions of(Map<String, RawJson> fields) {
        return fields.isEmpty() ? NONE : new Extensions(fields);
    }

    /** The verbatim value of an unknown field. */
    public Optional<RawJson> get(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** A copy with one field set (replaced if present). */
    public Extensions with(String name, RawJson value) {
        Map<String, RawJson> copy = new LinkedHashMap<>(fields);
        copy.put(name, value);
        return new Extensions(copy);
    }

    /** A copy without the named field. */
    public Extensions without(String name) {
        if (!fields.containsKey(name)) {
            return this;
        }
        Map<String, RawJson> copy = new LinkedHashMap<>(fields);
        copy.remove(name);
        return of(copy);
    }
}
