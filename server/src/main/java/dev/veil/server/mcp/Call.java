package dev.veil.server.mcp;

import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One request on its way to an upstream server, as the gateway follows it: where its progress notifications go, and
 * how the client's cancellation reaches the upstream. Thread-safe: the client's cancellation arrives on another
 * request's thread.
 */
final class Call {
    private final Consumer<ObjectNode> progress;
    private Runnable cancellation = () -> { };
    private boolean cancelled;

    /** @param progress receives the params of each progress notification the upstream sends for this request */
    Call(Consumer<ObjectNode> progress) {
        this.progress = progress;
    }

    /** A call nobody follows. */
    static Call untracked() {
        return new Call(params -> { });
    }

    void progress(ObjectNode params) {
        progress.accept(params);
    }

    /** Runs {@code action} when the client cancels; at once if it already has. */
    void onCancel(Runnable action) {
        boolean now;
        synchronized (this) {
            cancellation = action;
            now = cancelled;
        }
        if (now) {
            action.run();
        }
    }

    void cancel() {
        Runnable action;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            action = cancellation;
        }
        action.run();
    }

    synchronized boolean cancelled() {
        return cancelled;
    }
}
