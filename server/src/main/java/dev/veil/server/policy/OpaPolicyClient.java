package dev.veil.server.policy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.codec.BodyBytes;
import dev.veil.server.config.OpaConfig;
import dev.veil.server.config.TargetRef;
import dev.veil.server.http.UpstreamClient;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * Talks to OPA's REST data API over keep-alive connections pooled like the providers' ({@link UpstreamClient}):
 * {@code POST /v1/data/<decision-path>} for decisions, {@code PUT /v1/data/veil/catalog} for the provider catalogue.
 * An undefined decision (no {@code result}) is a denial, as OPA's own integrations treat it.
 */
public final class OpaPolicyClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DECISION_BYTES = 1 << 20;
    /** OPA keeps idle connections open; this only bounds how long an unused one is kept on our side. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final UpstreamClient client;
    private final Duration timeout;
    private final URI decisionUri;
    private final URI catalogUri;
    private final String decisionPath;
    private final PolicyRevision revision;

    public OpaPolicyClient(OpaConfig config) {
        this(config, () -> {
        });
    }

    /** A client that runs {@code policyChanged} when it sees OPA's policies or data change ({@link PolicyRevision}). */
    OpaPolicyClient(OpaConfig config, Runnable policyChanged) {
        this.client = UpstreamClient.create(config.timeout(), IDLE_TIMEOUT);
        this.timeout = config.timeout();
        this.decisionUri = URI.create(config.url() + "/v1/data/" + config.decisionPath() + "?provenance=true");
        this.catalogUri = URI.create(config.url() + "/v1/data/veil/catalog");
        this.decisionPath = config.decisionPath();
        this.revision = new PolicyRevision(client, config.url().toString(), config.timeout(), policyChanged);
    }

    /** Asks for the decision on {@code input}, a serialised input document. */
    public Decision decide(byte[] input) throws PolicyUnavailableException {
        byte[] body = new byte[input.length + 10];
        System.arraycopy("{\"input\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, body, 0, 9);
        System.arraycopy(input, 0, body, 9, input.length);
        body[body.length - 1] = '}';
        JsonNode answer;
        try (HttpClientResponse response = client.send(decisionUri, connection -> client.http().post()
                .uri(decisionUri).connection(connection).readTimeout(timeout).contentType(MediaTypes.APPLICATION_JSON)
                .submit(body));
             InputStream in = response.inputStream()) {
            byte[] bytes = BodyBytes.read(in, response.headers().contentLength().orElse(-1), MAX_DECISION_BYTES);
            if (response.status().code() != 200) {
                throw new PolicyUnavailableException("OPA answered HTTP " + response.status().code(), null);
            }
            answer = JSON.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            throw new PolicyUnavailableException("OPA could not be asked (" + e.getClass().getSimpleName() + ")",
                    e);
        }
        Optional<String> decisionId = Optional.of(Optional.ofNullable(answer.get("decision_id"))
                .filter(JsonNode::isTextual).map(JsonNode::textValue).orElseGet(OpaPolicyClient::veilDecisionId));
        Optional<String> revision = this.revision.of(answer.path("provenance"));
        JsonNode result = answer.get("result");
        if (result == null || !result.isObject()) {
            return new Decision(false, List.of("the policy at " + decisionPath + " returned no decision"),
                    Optional.empty(), OptionalInt.empty(), Optional.empty(), Map.of(), decisionId,
                    Optional.empty(), revision, Optional.empty());
        }
        return decision(result, decisionId, revision);
    }

    /** Replaces the provider catalogue in OPA's data. */
    public void publishCatalog(byte[] catalog) throws PolicyUnavailableException {
        try (HttpClientResponse response = client.send(catalogUri, connection -> client.http().put()
                .uri(catalogUri).connection(connection).readTimeout(timeout).contentType(MediaTypes.APPLICATION_JSON)
                .submit(catalog));
             InputStream in = response.inputStream()) {
            in.readAllBytes();
            if (response.status().code() / 100 != 2) {
                throw new PolicyUnavailableException("OPA refused the catalogue: HTTP " + response.status().code(),
                        null);
            }
        } catch (IOException | RuntimeException e) {
            throw new PolicyUnavailableException("OPA could not be reached (" + e.getClass().getSimpleName() + ")",
                    e);
        }
    }

    /** An id for a decision OPA gave none (its decision logging is off): unique, and marked as Veil's. */
    private static String veilDecisionId() {
        return "veil-" + UUID.randomUUID();
    }

    private static Decision decision(JsonNode result, Optional<String> decisionId, Optional<String> revision) {
        boolean allow = result.path("allow").isBoolean() && result.get("allow").booleanValue();
        List<String> reasons = new ArrayList<>();
        for (JsonNode reason : result.path("reasons")) {
            reasons.add(reason.isTextual() ? reason.textValue() : reason.toString());
        }
        Optional<List<TargetRef>> targets = Optional.empty();
        if (result.path("targets").isArray()) {
            List<TargetRef> list = new ArrayList<>();
            for (JsonNode target : result.get("targets")) {
                if (target.path("provider").isTextual() && target.path("model").isTextual()) {
                    list.add(new TargetRef(target.get("provider").textValue(), target.get("model").textValue()));
                }
            }
            targets = Optional.of(list);
        }
        OptionalInt maxTokens = result.path("max_tokens").canConvertToInt() && result.get("max_tokens").isNumber()
                ? OptionalInt.of(result.get("max_tokens").intValue()) : OptionalInt.empty();
        Optional<Boolean> zeroRetention = result.path("zero_retention").isBoolean()
                ? Optional.of(result.get("zero_retention").booleanValue()) : Optional.empty();
        Map<String, String> redact = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : result.path("redact").properties()) {
            if (entry.getValue().isTextual()) {
                redact.put(entry.getKey(), entry.getValue().textValue());
            }
        }
        Optional<ConversationState> conversationState = result.path("conversation_state").isTextual()
                ? Optional.of(ConversationState.fromDecision(result.get("conversation_state").textValue()))
                : Optional.empty();
        return new Decision(allow, reasons, targets, maxTokens, zeroRetention, redact, decisionId,
                conversationState, revision, DecisionReuse.of(result.path("cache")));
    }

    /** Closes the pooled connections to OPA. */
    @Override
    public void close() {
        revision.close();
        client.close();
    }
}
