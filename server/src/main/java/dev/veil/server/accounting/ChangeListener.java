package dev.veil.server.accounting;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Listens on {@link PostgresStore#CHANNEL} for changes other replicas announce, so that a key revoked on one replica
 * is refused by every other within a second; and reloads everything on a timer and after a lost connection, since
 * an announcement made while this replica was not listening is gone.
 */
final class ChangeListener implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(ChangeListener.class.getName());
    private static final int POLL_MILLIS = 250;

    private final DataSource pool;
    private final Consumer<String> changed;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean closed;

    ChangeListener(DataSource pool, Consumer<String> changed, Duration interval) {
        this.pool = pool;
        this.changed = changed;
        this.intervalNanos = interval.toNanos();
        this.thread = Thread.ofPlatform().daemon().name("veil-accounting-listener").unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long lastReload = System.nanoTime();
        boolean missed = false;
        while (!closed) {
            try (Connection connection = pool.getConnection()) {
                try (Statement listen = connection.createStatement()) {
                    listen.execute("LISTEN " + PostgresStore.CHANNEL);
                }
                if (missed) {
                    reload("keys");
                    reload("budgets");
                    lastReload = System.nanoTime();
                    LOGGER.info("listening for key and budget changes of the other replicas again");
                    missed = false;
                }
                PGConnection listener = connection.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notifications = listener.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        boolean keys = false;
                        boolean budgets = false;
                        for (PGNotification notification : notifications) {
                            keys |= notification.getParameter().equals("keys");
                            budgets |= notification.getParameter().equals("budgets");
                        }
                        if (keys) {
                            reload("keys");
                        }
                        if (budgets) {
                            reload("budgets");
                        }
                    }
                    if (System.nanoTime() - lastReload >= intervalNanos) {
                        reload("keys");
                        reload("budgets");
                        lastReload = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!missed) {
                    LOGGER.warning(() -> "lost the connection on which other replicas announce key and budget "
                            + "changes (" + e.getClass().getSimpleName() + "); retrying every second");
                }
                missed = true;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void reload(String what) {
        try {
            changed.accept(what);
        } catch (RuntimeException e) {
            LOGGER.log(Level.WARNING, () -> "reloading " + what + " from the store failed ("
                    + e.getClass().getSimpleName() + "); retried at the next change or reload");
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
