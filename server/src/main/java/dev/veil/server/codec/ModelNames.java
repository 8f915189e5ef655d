package dev.veil.server.codec;

import dev.veil.spi.VeilException;

/**
 * What a model name a client sends may be: 1 to {@value #MAX_LENGTH} characters of visible text in any script, spaces
 * allowed, and nothing that controls how text is shown or where a line ends. The name travels into provider requests,
 * response headers, span names, audit records and policy input; checked once as the request is read, it is safe in
 * all of them.
 */
public final class ModelNames {
    /**
     * The longest model name accepted, in characters (code points). The longest real names are about 100 characters
     * (Bedrock inference-profile and provisioned-model ARNs, Vertex AI resource paths, fine-tuned OpenAI names), and
     * Veil's {@code provider/} prefix adds a few more: 256 leaves more than twice that, while keeping a hostile name
     * from costing anything downstream.
     */
    public static final int MAX_LENGTH = 256;

    private ModelNames() {
    }

    /**
     * {@code model}, if it is a valid model name; otherwise a 400 for the parameter {@code param} that says what a
     * model name may be without quoting the one sent.
     */
    public static String check(String model, String param) {
        if (model.isBlank()) {
            throw VeilException.invalidParam(param, "'" + param + "' must not be empty").withCode("invalid_model");
        }
        if (!valid(model)) {
            throw VeilException.invalidParam(param, "'" + param + "' must be a model name of at most " + MAX_LENGTH
                    + " characters, without control, formatting or line-separating characters")
                    .withCode("invalid_model");
        }
        return model;
    }

    /** Whether {@code model} is a valid model name. */
    public static boolean valid(String model) {
        if (model.isBlank()) {
            return false;
        }
        int length = 0;
        for (int i = 0; i < model.length(); ) {
            int c = model.codePointAt(i);
            if (++length > MAX_LENGTH || !allowed(c)) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }

    /**
     * Refuses C0 and C1 controls and DEL ({@code Cc}); bidirectional overrides, zero-width characters and byte-order
     * marks ({@code Cf}), which make a name display as another; line and paragraph separators; lone surrogates,
     * private-use and unassigned code points; and every space but U+0020, so that names that look alike are alike.
     */
    private static boolean allowed(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> false;
            case Character.SPACE_SEPARATOR -> c == ' ';
            default -> true;
        };
    }
}
