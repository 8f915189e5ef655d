package dev.veil.server.plugins;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.core.SafeThrowables;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * One plugin's part in one phase, with the guard every call goes through: a span, the plugin's class loader as context
 * loader, a virtual thread of its own abandoned at the entry's timeout ({@link PluginCall}), and the entry's fail
 * mode applied to a failure, which is logged by name and never with request content.
 */
final class GuardedPhase<P> {
    private static final Logger LOGGER = Logger.getLogger(PluginChain.class.getName());

    final P phase;
    private final PluginChain.ConfiguredPlugin plugin;
    private final String phaseName;
    private final String spanName;
    private final long timeoutNanos;
    private final PluginTelemetry telemetry;

    GuardedPhase(PluginChain.ConfiguredPlugin plugin, P phase, String phaseName, PluginTelemetry telemetry) {
        this.plugin = plugin;
        this.phase = phase;
        this.phaseName = phaseName;
        this.spanName = "veil.plugin " + plugin.entry().name() + " " + phaseName;
        this.timeoutNanos = plugin.entry().timeout().toNanos();
        this.telemetry = telemetry;
    }

    /**
     * Calls into the plugin; returns what it returned, or {@code skipped} when it failed or timed out and is
     * fail-open.
     */
    <T> T call(Supplier<T> call, T skipped) {
        return call(call, skipped, span -> {
        });
    }

    /** Calls a phase that returns nothing, under the same guard as {@link #call(Supplier, Object)}. */
    void run(Consumer<P> call) {
        call(() -> {
            call.accept(phase);
            return Boolean.TRUE;
        }, Boolean.FALSE);
    }

    /**
     * As {@link #run}, for phases that only learn what already happened (an attempt, the outcome): a failure is
     * logged by the guard and goes no further, since the request has moved on and must keep its answer.
     */
    void runAfterTheFact(Consumer<P> call) {
        try {
            run(call);
        } catch (VeilException e) {
            // Logged by the guard.
        }
    }

    /** As {@link #call(Supplier, Object)}, letting {@code annotate} add attributes to a successful call's span. */
    <T> T call(Supplier<T> call, T skipped, Consumer<Span> annotate) {
        Span span = telemetry.start(spanName, plugin.entry().name(), phaseName);
        long start = telemetry.nanos();
        T result;
        try (Scope ignored = span.makeCurrent()) {
            result = PluginCall.within(timeoutNanos, () -> PluginClassLoader.withContextLoader(plugin.source().loader(), call));
        } catch (VeilException e) {
            telemetry.timed(plugin.entry().name(), phaseName, PluginTelemetry.Outcome.REJECTED, start);
            PluginTelemetry.end(span, PluginTelemetry.Outcome.REJECTED);
            throw e;
        } catch (PluginCall.TimedOut e) {
            telemetry.timed(plugin.entry().name(), phaseName, PluginTelemetry.Outcome.TIMED_OUT, start);
            return failed(span, skipped, "did not answer within its timeout of " + timeoutNanos / 1_000_000
                    + " ms and was abandoned", PluginTelemetry.Outcome.TIMED_OUT, null);
        } catch (RuntimeException | LinkageError e) {
            telemetry.timed(plugin.entry().name(), phaseName, PluginTelemetry.Outcome.FAILED, start);
            return failed(span, skipped, "failed: " + SafeThrowables.describe(e), PluginTelemetry.Outcome.FAILED,
                    "failed");
        }
        telemetry.timed(plugin.entry().name(), phaseName, PluginTelemetry.Outcome.OK, start);
        annotate.accept(span);
        PluginTelemetry.end(span, PluginTelemetry.Outcome.OK);
        return result;
    }

    /** Applies the failure policy to a failure found outside {@link #call}, such as in a stream event. */
    void checkEvent(long elapsedNanos) {
        if (elapsedNanos > timeoutNanos) {
            log("took " + elapsedNanos / 1_000_000 + " ms on a stream event, over its timeout of "
                    + timeoutNanos / 1_000_000 + " ms");
            if (!plugin.entry().failOpen()) {
                throw timedOut();
            }
        }
    }

    /** Logs a stream-event failure and applies the policy; returns normally only when fail-open. */
    void eventFailed(Throwable e) {
        log("failed on a stream event: " + SafeThrowables.describe(e));
        if (!plugin.entry().failOpen()) {
            throw failure("failed");
        }
    }

    boolean failOpen() {
        return plugin.entry().failOpen();
    }

    String name() {
        return plugin.entry().name();
    }

    Optional<ClassLoader> loader() {
        return plugin.source().loader();
    }

    PluginTelemetry telemetry() {
        return telemetry;
    }

    String spanName() {
        return spanName;
    }

    /** Logs a failure and applies the fail mode; {@code summary} is null for a timeout. */
    private <T> T failed(Span span, T skipped, String what, PluginTelemetry.Outcome outcome, String summary) {
        log(what);
        if (plugin.entry().failOpen()) {
            PluginTelemetry.end(span, PluginTelemetry.Outcome.SKIPPED);
            return skipped;
        }
        PluginTelemetry.end(span, outcome);
        throw summary == null ? timedOut() : failure(summary);
    }

    private void log(String what) {
        if (LOGGER.isLoggable(Level.WARNING)) {
            LOGGER.warning("plugin " + plugin.entry().key() + " '" + plugin.entry().name() + "' " + phaseName
                    + " phase " + what + (plugin.entry().failOpen() ? "; skipped (fail-open)" : ""));
        }
    }

    /** The client's error for a call that timed out: retryable, since the plugin may answer next time. */
    private VeilException timedOut() {
        return new VeilException(ErrorKind.UNAVAILABLE, "plugin '" + plugin.entry().name() + "' did not answer "
                + "within its timeout in the " + phaseName + " phase; the request was not completed")
                .withCode("plugin_timeout");
    }

    private VeilException failure(String summary) {
        return new VeilException(ErrorKind.INTERNAL, "plugin '" + plugin.entry().name() + "' " + summary
                + " in the " + phaseName + " phase; the request was not completed").withCode("plugin_failed");
    }
}
