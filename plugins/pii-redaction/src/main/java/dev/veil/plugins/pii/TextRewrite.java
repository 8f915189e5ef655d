package dev.veil.plugins.pii;

/** A rewrite of one text of a request or an answer. */
@FunctionalInterface
interface TextRewrite {
    /**
     * @param text the text
     * @param json whether the text is a JSON document (tool-call arguments), so that inserted values must be
     *             JSON-encoded
     * @return the rewritten text, or {@code text} itself when nothing changed
     */
    String apply(String text, boolean json);
}
