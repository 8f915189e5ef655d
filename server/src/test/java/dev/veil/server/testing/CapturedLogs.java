package dev.veil.server.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every log record written while open, at every level, as text: message, parameters and stack trace. Open it after
 * Veil started: Helidon reads its logging configuration while starting, which resets every handler.
 */
public final class CapturedLogs implements AutoCloseable {
    private final List<String> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringWriter text = new StringWriter();
            text.append(record.getLoggerName()).append(": ").append(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    text.append(' ').append(String.valueOf(parameter));
                }
            }
            if (record.getThrown() != null) {
                record.getThrown().printStackTrace(new PrintWriter(text));
            }
            records.add(text.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Level previousLevel;

    private CapturedLogs() {
        Logger root = Logger.getLogger("");
        previousLevel = root.getLevel();
        root.setLevel(Level.ALL);
        Logger.getLogger("dev.veil").setLevel(Level.ALL);
        Logger.getLogger("io.helidon").setLevel(Level.ALL);
        root.addHandler(handler);
    }

    public static CapturedLogs open() {
        return new CapturedLogs();
    }

    /** The records so far, each as text. */
    public List<String> records() {
        return List.copyOf(records);
    }

    /** The records so far as one text. */
    public String text() {
        return String.join("\n", records);
    }

    @Override
    public void close() {
        Logger root = Logger.getLogger("");
        root.removeHandler(handler);
        root.setLevel(previousLevel);
        Logger.getLogger("dev.veil").setLevel(null);
        Logger.getLogger("io.helidon").setLevel(null);
    }
}
