package dev.veil.server.accounting;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Posts a budget's soft-threshold alert to {@code veil.alerts.webhook-url}, on a virtual thread of its own so that no
 * request waits for it. The store records the alert first, so a period is alerted at most once, across restarts too;
 * a delivery that fails is logged and not retried.
 */
final class AlertSender {
    private static final Logger LOGGER = Logger.getLogger(AlertSender.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AccountingStore store;
    private final Optional<URI> webhook;
    private final Duration timeout;
    private final HttpClient client;
    private final InstantSource clock;

    AlertSender(AccountingStore store, Optional<URI> webhook, Duration timeout, InstantSource clock) {
        this.store = store;
        this.webhook = webhook;
        this.timeout = timeout;
        this.clock = clock;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    void softThresholdReached(Budgets.State state) {
        Thread.ofVirtual().name("veil-budget-alert").start(() -> deliver(state));
    }

    private void deliver(Budgets.State state) {
        BudgetSpec spec = state.spec;
        try {
            if (!store.markAlerted(spec.scope(), state.periodStart)) {
                return;
            }
            if (webhook.isEmpty()) {
                LOGGER.info(() -> "budget of " + spec.scope().describe() + " passed its soft threshold; no "
                        + "veil.alerts.webhook-url is configured");
                return;
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("type", "budget.soft_threshold");
            body.put("scope", spec.scope().kind());
            body.put("tenant", spec.scope().tenant());
            body.put("team", spec.scope().team());
            body.put("key_id", spec.scope().keyId());
            body.put("user", spec.scope().user());
            body.put("period", spec.period());
            body.put("period_start", state.periodStart.toString());
            body.put("soft_usd", Money.usd(spec.softMicros()));
            body.put("limit_usd", Money.usd(spec.limitMicros()));
            body.put("spent_usd", Money.usd(state.spent.get()));
            body.put("sent_at", clock.instant().toString());
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(webhook.get()).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 300) {
                LOGGER.warning(() -> "budget alert webhook answered " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOGGER.log(Level.WARNING, () -> "budget alert could not be delivered (" + e.getClass().getSimpleName()
                    + ")");
        }
    }
}
