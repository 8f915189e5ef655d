package dev.veil.spi.plugin;

import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholders handed out so far in one conversation and the original values they stand for
 * ({@code <PERSON_1>} → the name): the value of {@link Attributes#CONVERSATION_PSEUDONYMS}, which keeps a placeholder
 * standing for the same value in every turn of a conversation Veil keeps (a {@code previous_response_id} chain).
 * Create it with {@link #of}; immutable.
 *
 * <p>A placeholder is written {@code <TYPE_N>}: the PII type in upper-case letters, digits and underscores, starting
 * with a letter, then {@code _} and its number, 1 or more without leading zeros. Within a type a value has at most one
 * placeholder; the same value may have one placeholder of each type it was found as.
 *
 * <p>This is the one thing that undoes pseudonymization: it is never logged, put in a span, a metric, an error
 * message or an audit record, and is stored only encrypted. {@link #toString()} shows how many placeholders it holds,
 * never a value.
 *
 * @param originals the original value of each placeholder, sorted by type and then by number
 */
public record Pseudonyms(Map<String, String> originals) {
    private static final Pattern PLACEHOLDER = Pattern.compile("<([A-Z][A-Z0-9_]*)_([1-9][0-9]{0,8})>");
    /** By type, then by number: {@code <EMAIL_2>} before {@code <EMAIL_10>}. */
    private static final Comparator<String> ORDER = Comparator.comparing(Pseudonyms::typeOf)
            .thenComparingInt(Pseudonyms::numberOf);

    /** No placeholder handed out yet: what the host puts on the first turn of a conversation. */
    public static final Pseudonyms NONE = new Pseudonyms(Map.of());

    /**
     * @throws IllegalArgumentException when a placeholder is not of the form {@code <TYPE_N>}, a value is empty, or
     *                                  two placeholders of one type stand for the same value; the message names the
     *                                  placeholder, never a value
     */
    public Pseudonyms {
        TreeMap<String, String> sorted = new TreeMap<>(ORDER);
        Set<String> typedValues = new HashSet<>();
        originals.forEach((placeholder, original) -> {
            Objects.requireNonNull(placeholder, "placeholder");
            Objects.requireNonNull(original, "original");
            Matcher m = PLACEHOLDER.matcher(placeholder);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a placeholder of the form <TYPE_N>: " + placeholder);
            }
            if (original.isEmpty()) {
                throw new IllegalArgumentException("the value of " + placeholder + " must not be empty");
            }
            if (!typedValues.add(m.group(1) + '\u0000' + original)) {
                throw new IllegalArgumentException(placeholder + " stands for a value another placeholder of its "
                        + "type stands for");
            }
            sorted.put(placeholder, original);
        });
        originals = Collections.unmodifiableSortedMap(sorted);
    }

    /** The pseudonyms with these placeholders and original values. */
    public static Pseudonyms of(Map<String, String> originals) {
        return originals.isEmpty() ? NONE : new Pseudonyms(originals);
    }

    /** The original value {@code placeholder} stands for, when it is one of these. */
    public Optional<String> original(String placeholder) {
        return Optional.ofNullable(originals.get(Objects.requireNonNull(placeholder, "placeholder")));
    }

    /** The highest number of a placeholder of {@code type} ({@code 3} for {@code <EMAIL_3>}); 0 when it has none. */
    public int lastNumber(String type) {
        Objects.requireNonNull(type, "type");
        int last = 0;
        for (String placeholder : originals.keySet()) {
            if (typeOf(placeholder).equals(type)) {
                last = Math.max(last, numberOf(placeholder));
            }
        }
        return last;
    }

    /** How many placeholders these are. */
    public int size() {
        return originals.size();
    }

    public boolean isEmpty() {
        return originals.isEmpty();
    }

    private static String typeOf(String placeholder) {
        return placeholder.substring(1, placeholder.lastIndexOf('_'));
    }

    private static int numberOf(String placeholder) {
        return Integer.parseInt(placeholder, placeholder.lastIndexOf('_') + 1, placeholder.length() - 1, 10);
    }

    /** How many placeholders these are, never which values they stand for. */
    @Override
    public String toString() {
        return "Pseudonyms[" + originals.size() + " placeholders]";
    }
}
