package dev.veil.server.policy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Logger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.veil.server.config.ModelAlias;
import dev.veil.server.config.OpaConfig;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.TargetRef;
import dev.veil.server.config.VeilConfig;

/**
 * Keeps the provider catalogue — providers with kind, preset, region, zero-retention flag and listed models, and
 * model aliases with their targets — in OPA's data at {@code data.veil.catalog}, so Rego can reason about providers
 * without repeating Veil's config. OPA keeps pushed data in memory only, and an OPA that reloads watched policy files
 * drops it, so the catalogue is pushed again every few seconds: it is back within one period.
 */
public final class CatalogPublisher implements AutoCloseable {
    private static final Logger LOGGER = Logger.getLogger(CatalogPublisher.class.getName());
    private static final Duration PERIOD = Duration.ofSeconds(5);
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final OpaPolicyClient client;
    private final byte[] catalog;
    private final Thread thread;
    private volatile boolean published;

    private CatalogPublisher(OpaPolicyClient client, byte[] catalog) {
        this.client = client;
        this.catalog = catalog;
        this.thread = Thread.ofVirtual().name("veil-opa-catalog").unstarted(this::run);
    }

    /** Starts publishing the catalogue of {@code config} to {@code opa}. */
    public static CatalogPublisher start(VeilConfig config, OpaConfig opa) {
        CatalogPublisher publisher = new CatalogPublisher(new OpaPolicyClient(opa), catalog(config));
        publisher.publishOnce();
        publisher.thread.start();
        return publisher;
    }

    /** Whether OPA has the catalogue. */
    public boolean published() {
        return published;
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(published ? PERIOD : RETRY);
            } catch (InterruptedException e) {
                return;
            }
            publishOnce();
        }
    }

    private void publishOnce() {
        try {
            client.publishCatalog(catalog);
            if (!published) {
                LOGGER.info("provider catalogue published to OPA at data.veil.catalog");
            }
            published = true;
        } catch (PolicyUnavailableException e) {
            if (published) {
                LOGGER.warning("provider catalogue could not be published to OPA: " + e.getMessage());
            }
            published = false;
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }

    static byte[] catalog(VeilConfig config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("providers");
            for (ProviderConfig provider : config.providers().values()) {
                g.writeObjectFieldStart(provider.name());
                g.writeStringField("kind", provider.kind().configName());
                if (provider.preset().isPresent()) {
                    g.writeStringField("preset", provider.preset().get());
                }
                if (provider.region().isPresent()) {
                    g.writeStringField("region", provider.region().get());
                } else {
                    g.writeNullField("region");
                }
                g.writeBooleanField("zero_retention", provider.zeroRetention());
                g.writeArrayFieldStart("models");
                for (String model : provider.models()) {
                    g.writeString(model);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("models");
            for (Map.Entry<String, ModelAlias> alias : config.models().entrySet()) {
                g.writeObjectFieldStart(alias.getKey());
                g.writeArrayFieldStart("targets");
                for (TargetRef target : alias.getValue().targets()) {
                    g.writeStartObject();
                    g.writeStringField("provider", target.provider());
                    g.writeStringField("model", target.model());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
