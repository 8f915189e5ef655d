package dev.veil.server.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import dev.veil.server.core.SafeThrowables;

/**
 * Reloads when the config file changes ({@code veil.reload: watch}). It watches the file's directory, not the file,
 * so that it sees the ways a file is replaced rather than written: editors that write a new file and rename it over
 * the old one, and Kubernetes, which mounts a ConfigMap's file as a link through {@code ..data} and updates it by
 * swapping {@code ..data} to a new directory. When the file is a link into another directory, that directory is
 * watched too. Changes are debounced: a reload runs once the directory has been quiet for a moment, so that a file
 * written in several steps is read once, whole. A reload of unchanged text changes nothing (see the server's
 * reload), so events for other files cost a read at most.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(ConfigWatcher.class.getName());
    /** Long enough for an editor's write-and-rename or Kubernetes' link swap to finish, short for an operator. */
    public static final Duration DEBOUNCE = Duration.ofMillis(300);

    private final WatchService service;
    /** The directories watched, each with the name in it that is (or leads to) the config file. */
    private final Map<WatchKey, String> names;
    private final Runnable reload;
    private final Thread thread;

    private ConfigWatcher(WatchService service, Map<WatchKey, String> names, Runnable reload) {
        this.service = service;
        this.names = names;
        this.reload = reload;
        this.thread = Thread.ofPlatform().daemon().name("veil-config-watch").unstarted(this::run);
    }

    /**
     * Watches {@code file} and runs {@code reload} after each change, on the watcher's own thread.
     *
     * @throws IllegalStateException when the file's directory cannot be watched
     */
    public static ConfigWatcher start(Path file, Runnable reload) {
        Path absolute = file.toAbsolutePath().normalize();
        try {
            WatchService service = FileSystems.getDefault().newWatchService();
            Map<WatchKey, String> names = new LinkedHashMap<>();
            names.put(register(service, absolute.getParent()), absolute.getFileName().toString());
            Path real = absolute.toRealPath();
            if (!real.getParent().equals(absolute.getParent())) {
                names.put(register(service, real.getParent()), real.getFileName().toString());
            }
            ConfigWatcher watcher = new ConfigWatcher(service, names, reload);
            watcher.thread.start();
            LOGGER.info("veil.reload is watch: a change to " + absolute + " reloads the config");
            return watcher;
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch " + absolute + " for changes (veil.reload: watch): "
                    + SafeThrowables.describe(e), e);
        }
    }

    private static WatchKey register(WatchService service, Path directory) throws IOException {
        return directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
    }

    private void run() {
        try {
            while (true) {
                if (!relevant(service.take())) {
                    continue;
                }
                // Debounce: wait until the directory has been quiet, whatever it says meanwhile.
                for (WatchKey key = service.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS); key != null;
                     key = service.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)) {
                    relevant(key);
                }
                try {
                    reload.run();
                } catch (RuntimeException e) {
                    LOGGER.warning("config reload after a change to the file failed: " + SafeThrowables.describe(e));
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // Closed: the server is stopping.
        }
    }

    /** Whether {@code key}'s events may have changed the config file; re-arms the key either way. */
    private boolean relevant(WatchKey key) {
        String name = names.get(key);
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                relevant = true;
            } else if (event.context() instanceof Path changed) {
                String changedName = changed.toString();
                // "..data" and its temporary siblings are how Kubernetes swaps a mounted ConfigMap.
                relevant |= changedName.equals(name) || changedName.startsWith("..");
            }
        }
        key.reset();
        return relevant;
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOGGER.fine(() -> "closing the config watcher failed: " + SafeThrowables.describe(e));
        }
        thread.interrupt();
    }
}
