package dev.veil.plugins.pii.detect;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Reports whole-word occurrences of an operator's list of terms (project code names, customer names) as a custom PII
 * type. The terms live in a character trie walked only from word starts, so a list of thousands of terms costs about
 * as much per text as a list of one; a term never matches inside a longer word ({@code Atlas} is not found in
 * {@code Atlassian}).
 */
public final class DictionaryDetector implements Detector {
    private final String type;
    private final boolean ignoreCase;
    private final Node root = new Node();

    /** A trie node; children are kept sorted by character for binary search. */
    private static final class Node {
        char[] keys = new char[0];
        Node[] children = new Node[0];
        boolean terminal;

        Node child(char key) {
            int index = Arrays.binarySearch(keys, key);
            return index >= 0 ? children[index] : null;
        }

        Node childOrNew(char key) {
            int index = Arrays.binarySearch(keys, key);
            if (index >= 0) {
                return children[index];
            }
            int insertAt = -index - 1;
            char[] newKeys = new char[keys.length + 1];
            Node[] newChildren = new Node[children.length + 1];
            System.arraycopy(keys, 0, newKeys, 0, insertAt);
            System.arraycopy(children, 0, newChildren, 0, insertAt);
            newKeys[insertAt] = key;
            newChildren[insertAt] = new Node();
            System.arraycopy(keys, insertAt, newKeys, insertAt + 1, keys.length - insertAt);
            System.arraycopy(children, insertAt, newChildren, insertAt + 1, children.length - insertAt);
            keys = newKeys;
            children = newChildren;
            return newChildren[insertAt];
        }
    }

    public DictionaryDetector(String type, Collection<String> terms, boolean ignoreCase) {
        this.type = Objects.requireNonNull(type, "type");
        this.ignoreCase = ignoreCase;
        for (String term : terms) {
            if (term.isBlank()) {
                continue;
            }
            Node node = root;
            for (int i = 0; i < term.length(); i++) {
                node = node.childOrNew(fold(term.charAt(i)));
            }
            node.terminal = true;
        }
    }

    @Override
    public void detect(String text, List<Finding> findings) {
        int length = text.length();
        int i = 0;
        while (i < length) {
            if (i > 0 && Chars.isWord(text.charAt(i - 1)) && Chars.isWord(text.charAt(i))) {
                i++;
                continue;
            }
            int end = longestMatch(text, i);
            if (end > i) {
                findings.add(new Finding(i, end, type));
                i = end;
            } else {
                i++;
            }
        }
    }

    /** The end of the longest term starting at {@code start} that also ends on a word boundary, or -1. */
    private int longestMatch(String text, int start) {
        Node node = root;
        int longest = -1;
        for (int i = start; i < text.length(); i++) {
            node = node.child(fold(text.charAt(i)));
            if (node == null) {
                break;
            }
            if (node.terminal && (i + 1 == text.length() || !Chars.isWord(text.charAt(i))
                    || !Chars.isWord(text.charAt(i + 1)))) {
                longest = i + 1;
            }
        }
        return longest;
    }

    private char fold(char c) {
        return ignoreCase ? Character.toLowerCase(Character.toUpperCase(c)) : c;
    }
}
