package dev.veil.server.core;

/** Renders exceptions for logs without their messages, which third-party code fills with input excerpts. */
public final class SafeThrowables {
    private static final int MAX_FRAMES = 12;

    private SafeThrowables() {
    }

    public static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 5; t = t.getCause(), depth++) {
            text.append(depth == 0 ? "" : " caused by ").append(t.getClass().getName());
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
                text.append("\n\tat ").append(frames[i]);
            }
        }
        return text.toString();
    }
}
