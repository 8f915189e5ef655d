package dev.veil.server.accounting;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Settlements through Redis, run after the request instead of in it: an HTTP/1.1 connection reads its next request
 * only once the handler of the last one returns, so a settlement's round trip in the handler would delay the next
 * request on every kept-alive connection. Readers that must see every settlement made so far (the usage report,
 * the budget listing, shutdown) wait for those in flight first.
 */
final class Settlements implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(Settlements.class.getName());

    private final ExecutorService runner = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("veil-settlement-", 0).factory());
    private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();

    /** Runs {@code settlement} soon, on its own virtual thread. */
    void submit(Runnable settlement) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        inFlight.add(done);
        runner.execute(() -> {
            try {
                settlement.run();
            } catch (RuntimeException e) {
                // The type only: an exception's message may quote what it was handling.
                LOGGER.severe(() -> "a settlement failed (" + e.getClass().getName() + " at "
                        + (e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?") + ")");
            } finally {
                inFlight.remove(done);
                done.complete(null);
            }
        });
    }

    /** Waits until every settlement submitted before this call has run, for at most {@code atMost}. */
    void await(Duration atMost) {
        try {
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                    .get(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOGGER.warning(() -> inFlight.size() + " settlements still running after " + atMost.toMillis() + "ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException("a settlement's future cannot fail", e);
        }
    }

    /** Lets the settlements in flight finish, within the time a settlement may take, and stops. */
    @Override
    public void close() {
        await(Duration.ofSeconds(10));
        runner.shutdown();
    }
}
