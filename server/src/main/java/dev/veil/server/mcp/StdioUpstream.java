package dev.veil.server.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.server.config.McpConfig;

/**
 * An upstream server Veil starts as a process and speaks to over stdio: one JSON-RPC message per line on its stdin
 * and stdout. Veil supervises it: when the process exits, every call waiting on it fails at once with
 * {@link McpError#UPSTREAM_UNAVAILABLE}, and it is started again after a backoff that doubles from
 * {@value #FIRST_BACKOFF_MS} ms up to {@value #MAX_BACKOFF_MS} ms and resets once a start has initialized. A call
 * made while the process is down waits for the restart, within its timeout.
 *
 * <p>What the process writes to stderr is read and dropped: it may hold the data of the calls it served, which
 * Veil's logs never do.
 */
final class StdioUpstream extends Upstream {
    private static final Logger LOGGER = Logger.getLogger(StdioUpstream.class.getName());
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 30_000;

    private final ScheduledExecutorService restarts;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final ReentrantLock writing = new ReentrantLock();
    private final java.util.concurrent.ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile CompletableFuture<Running> running = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile Optional<Process> latest = Optional.empty();
    private long backoffMs = FIRST_BACKOFF_MS;
    private int starts;

    private record Running(Process process, OutputStream stdin) {
    }

    StdioUpstream(McpConfig.Server config, JsonRpc json, int maxMessageBytes) {
        super(config, json, maxMessageBytes);
        this.restarts = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                .name("veil-mcp-" + config.name() + "-supervisor").daemon(true).factory());
        restarts.execute(this::start);
    }

    /** How many times the process was started: 1 after the first start. */
    synchronized int starts() {
        return starts;
    }

    private void start() {
        if (closed) {
            return;
        }
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(config.command());
            builder.environment().putAll(config.env());
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            LOGGER.warning(() -> "MCP server '" + name() + "' could not be started (" + e.getClass().getSimpleName()
                    + "); retrying in " + backoffMs + " ms; check veil.mcp.servers[].command");
            scheduleRestart();
            return;
        }
        synchronized (this) {
            starts++;
        }
        latest = Optional.of(process);
        Running current = new Running(process, process.getOutputStream());
        Thread.ofVirtual().name("veil-mcp-" + name() + "-stdout").start(() -> read(current));
        Thread.ofVirtual().name("veil-mcp-" + name() + "-stderr").start(() -> drain(process.getErrorStream()));
        process.onExit().thenRun(() -> exited(current));
        Thread.ofVirtual().name("veil-mcp-" + name() + "-initialize").start(() -> initialize(current));
    }

    private void initialize(Running current) {
        long id = nextId();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            write(current, JsonRpc.request(id, "initialize", initializeParams()));
            answer.get(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
            write(current, JsonRpc.notification("notifications/initialized", JsonRpc.NODES.objectNode()));
            synchronized (this) {
                backoffMs = FIRST_BACKOFF_MS;
            }
            running.complete(current);
            LOGGER.info(() -> "MCP server '" + name() + "' started (pid " + current.process().pid() + ")");
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            LOGGER.warning(() -> "MCP server '" + name() + "' did not initialize; stopping it");
            current.process().destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            current.process().destroyForcibly();
        } finally {
            pending.remove(id);
        }
    }

    private void exited(Running exited) {
        synchronized (this) {
            CompletableFuture<Running> current = running;
            if (current.isDone() && current.getNow(null) != exited) {
                return;
            }
            if (current.isDone()) {
                running = new CompletableFuture<>();
            }
        }
        McpError gone = unavailable("exited while the request was in flight; Veil restarts it");
        pending.values().forEach(future -> future.completeExceptionally(gone));
        pending.clear();
        if (closed) {
            return;
        }
        LOGGER.warning(() -> "MCP server '" + name() + "' exited with status " + exited.process().exitValue()
                + "; restarting in " + backoffMs + " ms");
        scheduleRestart();
    }

    private synchronized void scheduleRestart() {
        long delay = backoffMs;
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        if (!closed) {
            restarts.schedule(this::start, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void read(Running current) {
        try (InputStream stdout = current.process().getInputStream()) {
            Lines lines = new Lines(stdout, maxMessageBytes);
            for (Optional<String> line = lines.next(); line.isPresent(); line = lines.next()) {
                if (line.get().isBlank()) {
                    continue;
                }
                Optional<JsonRpc.Message> message = json.upstream(line.get());
                if (message.isEmpty()) {
                    continue;
                }
                JsonRpc.Message m = message.get();
                switch (m.kind()) {
                    case RESPONSE -> {
                        CompletableFuture<JsonNode> waiting = pending.remove(m.id().orElseThrow().asLong());
                        if (waiting != null) {
                            waiting.complete(m.body());
                        }
                    }
                    case NOTIFICATION -> received(m);
                    case REQUEST -> refuse(current, m);
                }
            }
        } catch (IOException e) {
            // The type only: a parser's message quotes the line it read, which may hold tool output.
            LOGGER.warning(() -> "MCP server '" + name() + "' broke the stdio protocol (" + e.getClass().getSimpleName()
                    + "); stopping it");
        }
        current.process().destroyForcibly();
    }

    /** Veil offers upstream servers no client capabilities (sampling, roots, elicitation): it refuses their asks. */
    private void refuse(Running current, JsonRpc.Message request) {
        ObjectNode refusal = JsonRpc.error(request.id().orElseThrow(), McpError.of(McpError.METHOD_NOT_FOUND,
                "Veil does not serve " + request.method() + " to MCP servers"));
        writers.execute(() -> {
            try {
                write(current, refusal);
            } catch (IOException e) {
                current.process().destroyForcibly();
            }
        });
    }

    private static void drain(InputStream stderr) {
        try (stderr) {
            stderr.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // The process is gone.
        }
    }

    private void write(Running current, ObjectNode message) throws IOException {
        byte[] bytes = JsonRpc.bytes(message);
        writing.lock();
        try {
            current.stdin().write(bytes);
            current.stdin().write('\n');
            current.stdin().flush();
        } finally {
            writing.unlock();
        }
    }

    @Override
    protected JsonNode send(long id, String method, ObjectNode params, Call call, long deadline) {
        Running current;
        try {
            current = running.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw unavailable("is not running (it is being restarted) and did not come up within "
                    + config.timeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            throw unavailable("is not running");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw McpError.of(McpError.CANCELLED, "Request cancelled");
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        call.onCancel(() -> {
            cancel(current, id);
            answer.completeExceptionally(McpError.of(McpError.CANCELLED, "Request cancelled"));
        });
        // Written on its own thread: a process that stops reading its stdin must cost the caller its timeout, not
        // a write blocked for ever.
        CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
            try {
                write(current, JsonRpc.request(id, method, params));
            } catch (IOException e) {
                answer.completeExceptionally(unavailable("could not be written to; Veil restarts it"));
                current.process().destroyForcibly();
            }
        }, writers);
        try {
            return resultOf(answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            if (!written.isDone()) {
                LOGGER.warning(() -> "MCP server '" + name() + "' does not read its stdin; restarting it");
                current.process().destroyForcibly();
            } else {
                cancel(current, id);
            }
            throw timedOut();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof McpError error) {
                throw error;
            }
            throw unavailable("failed (" + e.getCause().getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw McpError.of(McpError.CANCELLED, "Request cancelled");
        } finally {
            pending.remove(id);
        }
    }

    private void cancel(Running current, long id) {
        pending.remove(id);
        ObjectNode params = JsonRpc.NODES.objectNode();
        params.put("requestId", id);
        params.put("reason", "cancelled by Veil");
        writers.execute(() -> {
            try {
                write(current, JsonRpc.notification("notifications/cancelled", params));
            } catch (IOException ignored) {
                // The process is gone; nothing to cancel.
            }
        });
    }

    @Override
    void notify(String method, ObjectNode params) {
        CompletableFuture<Running> current = running;
        if (current.isDone() && !current.isCompletedExceptionally()) {
            writers.execute(() -> {
                try {
                    write(current.join(), JsonRpc.notification(method, params));
                } catch (IOException ignored) {
                    // The process is gone.
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        restarts.shutdownNow();
        writers.shutdownNow();
        latest.ifPresent(process -> {
            process.destroy();
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        });
    }
}
