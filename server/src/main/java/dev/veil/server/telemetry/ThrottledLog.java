package dev.veil.server.telemetry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.core.Ticker;

/**
 * Logs one line a minute per kind of event a client can cause at will (garbage requests, unknown paths), saying how
 * many it skipped since the last, so that nobody can flood the log by sending the same mistake again.
 */
public final class ThrottledLog {
    private static final long INTERVAL = TimeUnit.MINUTES.toNanos(1);

    private final Logger logger;
    private final Ticker ticker;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** Logs to {@code logger}, reading time from {@code ticker}. */
    public ThrottledLog(Logger logger, Ticker ticker) {
        this.logger = logger;
        this.ticker = ticker;
    }

    /** Logs {@code message} at INFO unless a line of {@code kind} was logged less than a minute ago. */
    public void info(String kind, Supplier<String> message) {
        log(Level.INFO, kind, message);
    }

    /** Logs {@code message} at WARNING unless a line of {@code kind} was logged less than a minute ago. */
    public void warning(String kind, Supplier<String> message) {
        log(Level.WARNING, kind, message);
    }

    private void log(Level level, String kind, Supplier<String> message) {
        long skipped = windows.computeIfAbsent(kind, key -> new Window()).admit(ticker.nanos());
        if (skipped >= 0 && logger.isLoggable(level)) {
            logger.log(level, message.get() + (skipped == 0 ? "" : "; " + skipped + " more since the last such line")
                    + " (logged at most once a minute per kind)");
        }
    }

    /** One line a minute: {@link #admit} says how many were skipped since the last, or -1 to skip this one. */
    private static final class Window {
        private long last;
        private boolean any;
        private long skipped;

        synchronized long admit(long now) {
            if (any && now - last < INTERVAL) {
                skipped++;
                return -1;
            }
            any = true;
            last = now;
            long before = skipped;
            skipped = 0;
            return before;
        }
    }
}
