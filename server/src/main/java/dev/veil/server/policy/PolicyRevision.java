package dev.veil.server.policy;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.server.codec.BodyBytes;
import dev.veil.server.http.UpstreamClient;
import io.helidon.webclient.api.HttpClientResponse;

/**
 * Which policies made a decision, for the audit record: the revisions of the bundles OPA reports in the decision's
 * provenance when it loads bundles, and otherwise a hash of the policy modules OPA has loaded ({@code GET
 * /v1/policies}: every module's id and source), read every {@link #INTERVAL} in the background, so a decision never
 * waits for it. With bundles the revision is exact per decision; with files it may lag a change by one interval.
 *
 * <p>The same reading watches what decisions are made from, for reused decisions ({@link DecisionCache}): the modules,
 * the settings the bundled policies read ({@code data.veil.settings}), the provider catalogue Veil publishes
 * ({@code data.veil.catalog}) and the bundles' manifests ({@code data.system.bundles}). When any of them changed since
 * the last reading, the listener runs.
 */
final class PolicyRevision implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final Logger LOGGER = Logger.getLogger(PolicyRevision.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Policies larger than this are not hashed; the decision then names no revision. */
    private static final int MAX_POLICIES_BYTES = 32 << 20;

    private final UpstreamClient client;
    private final URI policiesUri;
    private final List<URI> watchedData;
    private final Duration timeout;
    private final ScheduledExecutorService reader;
    private volatile Optional<String> loaded = Optional.empty();
    private volatile boolean failing;
    private final AtomicBoolean attempted = new AtomicBoolean();
    private final Runnable changed;
    /** A hash of what decisions were last seen to be made from; null until first read. */
    private String state;

    /** Reads from OPA at {@code opaUrl}; {@code changed} runs (on the reading thread) after a change is seen. */
    PolicyRevision(UpstreamClient client, String opaUrl, Duration timeout, Runnable changed) {
        this.client = client;
        this.changed = changed;
        this.policiesUri = URI.create(opaUrl + "/v1/policies");
        this.watchedData = List.of(URI.create(opaUrl + "/v1/data/veil/settings"),
                URI.create(opaUrl + "/v1/data/veil/catalog"), URI.create(opaUrl + "/v1/data/system/bundles"));
        this.timeout = timeout;
        this.reader = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "veil-policy-revision");
            thread.setDaemon(true);
            return thread;
        });
        reader.scheduleWithFixedDelay(this::read, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The revision of the decision whose provenance is {@code provenance}: {@code bundle:<name>@<revision>} for each
     * bundle (sorted by name, comma-separated), else {@code sha256:<hex>} of the modules loaded, else empty when
     * neither is known yet.
     */
    Optional<String> of(JsonNode provenance) {
        Map<String, String> bundles = new TreeMap<>();
        for (Map.Entry<String, JsonNode> bundle : provenance.path("bundles").properties()) {
            bundles.put(bundle.getKey(), bundle.getValue().path("revision").asText(""));
        }
        if (bundles.isEmpty()) {
            if (loaded.isEmpty() && attempted.compareAndSet(false, true)) {
                // The first decisions must not go unattributed while the background reader has not run yet.
                read();
            }
            return loaded;
        }
        List<String> parts = new ArrayList<>(bundles.size());
        bundles.forEach((name, revision) -> parts.add("bundle:" + name + "@" + revision));
        return Optional.of(String.join(",", parts));
    }

    private synchronized void read() {
        try {
            String modules = hash(get(policiesUri).path("result"));
            loaded = Optional.of(modules);
            MessageDigest digest = sha256();
            digest.update(modules.getBytes(StandardCharsets.UTF_8));
            for (URI data : watchedData) {
                digest.update(get(data).path("result").toString().getBytes(StandardCharsets.UTF_8));
            }
            String now = HexFormat.of().formatHex(digest.digest());
            boolean change = state != null && !state.equals(now);
            state = now;
            if (change) {
                changed.run();
            }
            if (failing) {
                failing = false;
                LOGGER.info("reading the policies OPA has loaded again, for the revision in audit records");
            }
        } catch (Exception e) {
            if (!failing) {
                failing = true;
                LOGGER.warning(() -> "cannot read the policies OPA has loaded (" + e.getClass().getSimpleName()
                        + "); audit records keep the last revision read, or none, until it answers");
            }
        }
    }

    /**
     * SHA-256 over the modules' sources in sorted order, each followed by a zero byte: the same policies give the same
     * hash whatever directory OPA loaded them from (module ids are file paths).
     */
    static String hash(JsonNode modules) {
        List<String> sources = new ArrayList<>();
        for (JsonNode module : modules) {
            sources.add(module.path("raw").asText(""));
        }
        sources.sort(null);
        MessageDigest digest = sha256();
        for (String raw : sources) {
            digest.update(raw.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    private JsonNode get(URI uri) throws java.io.IOException {
        try (HttpClientResponse response = client.send(uri, connection -> client.http().get()
                .uri(uri).connection(connection).readTimeout(timeout).request());
             InputStream in = response.inputStream()) {
            byte[] bytes = BodyBytes.read(in, response.headers().contentLength().orElse(-1), MAX_POLICIES_BYTES);
            if (response.status().code() != 200) {
                throw new IllegalStateException("HTTP " + response.status().code());
            }
            return JSON.readTree(bytes);
        }
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }
}
