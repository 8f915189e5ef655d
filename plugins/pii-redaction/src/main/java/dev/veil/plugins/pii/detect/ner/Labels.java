package dev.veil.plugins.pii.detect.ner;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The labels a token-classification model scores, by id, read as BIO tags: {@code B-PER} begins a person,
 * {@code I-PER} goes on with one, {@code O} is nothing. A label without a prefix ({@code PER}) goes on with an entity
 * of its kind, as in IO tagging.
 */
final class Labels {
    private final List<String> names;
    private final String[] entity;
    private final boolean[] begins;

    private Labels(List<String> names) {
        this.names = List.copyOf(names);
        this.entity = new String[names.size()];
        this.begins = new boolean[names.size()];
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.equals("O")) {
                continue;
            }
            boolean prefixed = name.length() > 2 && (name.charAt(1) == '-' || name.charAt(1) == '_')
                    && "BIES".indexOf(name.charAt(0)) >= 0;
            entity[i] = prefixed ? name.substring(2) : name;
            begins[i] = prefixed && (name.charAt(0) == 'B' || name.charAt(0) == 'S');
        }
    }

    /** Labels from a text file, one a line in id order; blank lines are ignored. */
    static Labels ofLines(List<String> lines) {
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("lists no labels; write one label a line, in the model's id order");
        }
        return new Labels(names);
    }

    /** Labels from a Hugging Face {@code config.json}: its {@code id2label}. */
    static Labels ofConfig(Map<?, ?> config) {
        if (!(config.get("id2label") instanceof Map<?, ?> byId) || byId.isEmpty()) {
            throw new IllegalArgumentException("has no id2label; give the config.json the model was exported "
                    + "with, or a text file of its labels, one a line in id order");
        }
        String[] names = new String[byId.size()];
        for (Map.Entry<?, ?> entry : byId.entrySet()) {
            int id;
            try {
                id = Integer.parseInt(String.valueOf(entry.getKey()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("has an id2label key that is not a number: " + entry.getKey());
            }
            if (id < 0 || id >= names.length || !(entry.getValue() instanceof String name)) {
                throw new IllegalArgumentException("has an id2label that is not the labels numbered from 0");
            }
            names[id] = name;
        }
        return new Labels(List.of(names));
    }

    /** {@code max_position_embeddings} of a {@code config.json}: the longest sequence the model reads. */
    static OptionalInt maxPositions(Map<?, ?> config) {
        return config.get("max_position_embeddings") instanceof Number number ? OptionalInt.of(number.intValue())
                : OptionalInt.empty();
    }

    int size() {
        return names.size();
    }

    /** The entity label {@code label} tags ({@code PER} for {@code B-PER}), or null for {@code O}. */
    String entity(int label) {
        return entity[label];
    }

    boolean begins(int label) {
        return begins[label];
    }

    /** The entities the labels tag, such as {@code PER}, {@code LOC}, in label order. */
    Set<String> entities() {
        Set<String> entities = new LinkedHashSet<>();
        for (String each : entity) {
            if (each != null) {
                entities.add(each);
            }
        }
        return Collections.unmodifiableSet(entities);
    }
}
