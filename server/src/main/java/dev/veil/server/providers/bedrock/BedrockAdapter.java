package dev.veil.server.providers.bedrock;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.veil.server.codec.MalformedUpstreamException;
import dev.veil.server.codec.UpstreamError;
import dev.veil.server.codec.translation.WireJson;
import dev.veil.server.config.ConfigException;
import dev.veil.server.config.ProviderConfig;
import dev.veil.server.config.Secret;
import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ProviderAdapter;
import dev.veil.server.core.UpstreamException;
import dev.veil.server.http.UpstreamClient;
import dev.veil.server.http.UpstreamHttp;
import dev.veil.server.http.UpstreamLimits;
import dev.veil.server.http.UpstreamResponse;
import dev.veil.server.providers.setup.ProviderSetup;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.ClientUri;

/**
 * Amazon Bedrock's Converse API ({@code kind: bedrock}): {@code <base-url>/model/<modelId>/converse}, streamed with
 * {@code /converse-stream} as AWS event-stream frames. Every request is signed with AWS Signature Version 4 (service
 * {@code bedrock}, the configured region) from the configured credentials; the base URL defaults to the region's
 * {@code bedrock-runtime} endpoint.
 */
public final class BedrockAdapter implements ProviderAdapter {
    /** The signing name of the Bedrock runtime. */
    static final String SERVICE = "bedrock";
    private static final Logger LOGGER = Logger.getLogger(BedrockAdapter.class.getName());
    private static final int MAX_TRAILING_BYTES = 4096;
    private static final HeaderName REQUEST_ID = HeaderNames.create("x-amzn-RequestId");
    private static final HeaderName ERROR_TYPE = HeaderNames.create("x-amzn-ErrorType");
    private static final Header ACCEPT_EVENT_STREAM = HeaderValues.createCached(HeaderNames.ACCEPT,
            "application/vnd.amazon.eventstream");

    private final String provider;
    private final String base;
    private final List<Header> headers;
    private final SigV4 signer;
    private final Optional<Secret> sessionToken;
    private final UpstreamHttp http;
    private final List<String> models;
    private final InstantSource clock;

    private BedrockAdapter(String provider, String base, List<Header> headers, SigV4 signer,
                           Optional<Secret> sessionToken, UpstreamHttp http, List<String> models,
                           InstantSource clock) {
        this.provider = provider;
        this.clock = clock;
        this.base = base;
        this.headers = headers;
        this.signer = signer;
        this.sessionToken = sessionToken;
        this.http = http;
        this.models = models;
    }

    /** The default endpoint of {@code region}. */
    public static String defaultBaseUrl(String region) {
        return "https://bedrock-runtime." + region + ".amazonaws.com";
    }

    /**
     * The adapter for {@code config}, signing and dating by {@code clock}; a missing region or credential stops startup
     * with a {@link ConfigException}.
     */
    public static BedrockAdapter create(ProviderConfig config, UpstreamClient client, UpstreamLimits limits,
                                        InstantSource clock) {
        String region = config.region().map(String::trim).filter(r -> !r.isEmpty()).orElseThrow(() ->
                new ConfigException(config.key("region"), "missing; Bedrock needs the AWS region to call and to "
                        + "sign requests for, for example region: us-east-1"));
        if (!region.matches("[a-z0-9-]+")) {
            throw new ConfigException(config.key("region"), "'" + region + "' is not an AWS region name; use one "
                    + "like us-east-1 or eu-central-1");
        }
        String accessKeyId = config.awsAccessKeyId().orElseThrow(() -> new ConfigException(
                config.key("aws-access-key-id"), "missing; Bedrock requests are signed with AWS credentials, set it, "
                        + "for example aws-access-key-id: \"${AWS_ACCESS_KEY_ID}\"")).reveal();
        String secretAccessKey = config.awsSecretAccessKey().orElseThrow(() -> new ConfigException(
                config.key("aws-secret-access-key"), "missing; Bedrock requests are signed with AWS credentials, set "
                        + "it, for example aws-secret-access-key: \"${AWS_SECRET_ACCESS_KEY}\"")).reveal();
        return new BedrockAdapter(config.name(), ProviderSetup.baseUrl(config, defaultBaseUrl(region)),
                ProviderSetup.headers(config),
                new SigV4(accessKeyId, secretAccessKey, region, SERVICE), config.awsSessionToken(),
                UpstreamHttp.withErrorTypeHeader(client, config, limits, ERROR_TYPE), config.models(), clock);
    }

    /**
     * {@code <base>/model/<modelId>/<operation>}. The HTTP client sends the path in its own normal form (a model id's
     * {@code :} unescaped, for example), and the signature must cover exactly what it sends, so it signs that form;
     * AWS canonicalises {@code :} and {@code %3A} alike. A {@code /} would split the path, so ARNs are refused.
     */
    URI uri(String model, String operation) {
        if (model.indexOf('/') >= 0) {
            throw VeilException.invalidParam("model", "provider '" + provider + "' (bedrock) takes model and "
                    + "inference-profile ids such as anthropic.claude-3-5-sonnet-20240620-v1:0; ARNs are not "
                    + "supported");
        }
        URI requested = URI.create(base + "/model/" + SigV4.encode(model) + "/" + operation);
        return URI.create(requested.getScheme() + "://" + requested.getRawAuthority()
                + ClientUri.create(requested).pathWithQueryAndFragment());
    }

    /**
     * The configured headers, then the signature over this request: fresh per request, as it covers the body. The
     * {@code Host} header is set to the signed value, because the HTTP client would otherwise send the default port
     * too ({@code host:443}), which AWS would sign differently.
     */
    List<Header> signed(URI uri, byte[] body, boolean stream) {
        List<Header> all = new ArrayList<>(headers);
        all.add(HeaderValues.create(HeaderNames.HOST, false, false, SigV4.host(uri)));
        Map<String, String> toSign = sessionToken.map(token -> Map.of("x-amz-security-token", token.reveal()))
                .orElse(Map.of());
        Map<String, String> signature = signer.sign("POST", uri, toSign, body,
                ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
        all.add(HeaderValues.create(HeaderNames.create("x-amz-date"), false, false, signature.get("x-amz-date")));
        // Marked sensitive so that Helidon masks them wherever it renders headers.
        all.add(ProviderSetup.credential("Authorization", signature.get("Authorization")));
        toSign.forEach((name, value) -> all.add(ProviderSetup.credential(name, value)));
        if (stream) {
            all.add(ACCEPT_EVENT_STREAM);
        }
        return all;
    }

    private UpstreamResponse post(String model, String operation, ChatRequest request, boolean stream)
            throws UpstreamException {
        byte[] body = WireJson.bytes(BedrockWire.request(request, model, provider));
        URI uri = uri(model, operation);
        try {
            return http.post(uri, signed(uri, body, stream), body, stream);
        } catch (UpstreamException e) {
            if (e.failure() != UpstreamException.Failure.STATUS) {
                throw e;
            }
            int status = statusOf(e.error().flatMap(UpstreamError::code), e.status());
            if (status == e.status()) {
                throw e;
            }
            // A model's own failure message is not the client's business; a reclassified one keeps its message.
            throw UpstreamException.status(provider, status, e.status() == 424 ? Optional.empty() : e.error(),
                    e.retryAfterSeconds());
        }
    }

    /**
     * The status an error stands for, by the type Bedrock names in {@code x-amzn-ErrorType} when it names one Veil
     * knows, else by the HTTP status: a proxy or SDK shim may send a throttle as a 400, and the type is what AWS
     * documents. {@code ModelErrorException} (424) is the model failing, not the request: a provider failure
     * another target may avoid.
     */
    static int statusOf(Optional<String> type, int status) {
        return switch (type.orElse("")) {
            case "ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException" -> 429;
            case "ValidationException" -> 400;
            case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                 "ExpiredTokenException" -> 403;
            case "ResourceNotFoundException" -> 404;
            case "ModelTimeoutException" -> 408;
            case "ModelErrorException" -> 502;
            case "ModelNotReadyException", "ServiceUnavailableException" -> 503;
            case "InternalServerException" -> 500;
            default -> status == 424 ? 502 : status;
        };
    }

    private String id(UpstreamResponse response) {
        return "chatcmpl-" + response.headers().first(REQUEST_ID).filter(id -> id.matches("[A-Za-z0-9-]{1,64}"))
                .orElseGet(() -> UUID.randomUUID().toString());
    }

    @Override
    public ChatResponse chat(ChatRequest request, String model) throws UpstreamException {
        try (UpstreamResponse response = post(model, "converse", request, false)) {
            return BedrockWire.response(http.body(response), id(response), model, clock.instant().getEpochSecond());
        } catch (MalformedUpstreamException e) {
            throw UpstreamException.malformed(provider, e.getMessage());
        }
    }

    @Override
    public ChatStream stream(ChatRequest request, String model) throws UpstreamException {
        UpstreamResponse response = post(model, "converse-stream", request, true);
        try {
            return new BedrockChatStream(response, new BedrockStreamTranslator(id(response),
                    clock.instant().getEpochSecond(), model));
        } catch (RuntimeException e) {
            response.abort();
            throw http.classify(e);
        }
    }

    @Override
    public EmbeddingsResponse embeddings(EmbeddingsRequest request, String model) {
        throw new VeilException(ErrorKind.INVALID_REQUEST, "provider '" + provider + "' (bedrock) offers chat "
                + "through the Converse API only; use an embeddings model of another provider")
                .withCode("embeddings_not_supported");
    }

    @Override
    public List<String> models() {
        return models;
    }

    /** Reads ConverseStream's event-stream messages until {@code messageStop} and the {@code metadata} after it. */
    private final class BedrockChatStream implements ChatStream {
        private final UpstreamResponse response;
        private final InputStream body;
        private final EventStreamDecoder events;
        private final BedrockStreamTranslator translator;
        private boolean atEnd;
        private boolean done;

        BedrockChatStream(UpstreamResponse response, BedrockStreamTranslator translator) {
            this.response = response;
            this.body = response.inputStream();
            this.events = new EventStreamDecoder(body);
            this.translator = translator;
        }

        @Override
        public Optional<ChatChunk> next() throws UpstreamException {
            while (!done) {
                if (translator.ended()) {
                    done = true;
                    return Optional.empty();
                }
                EventStreamDecoder.Message message;
                try {
                    message = events.next();
                } catch (EventStreamDecoder.MalformedFrameException e) {
                    throw UpstreamException.malformed(provider, e.getMessage());
                } catch (IOException | RuntimeException e) {
                    throw http.classify(e);
                }
                if (message == null) {
                    atEnd = true;
                    if (!translator.stopped()) {
                        // A stream that ends before messageStop was cut off.
                        throw UpstreamException.broken(provider, null);
                    }
                    done = true;
                    return Optional.empty();
                }
                try {
                    Optional<ChatChunk> chunk = translator.translate(message);
                    if (chunk.isPresent()) {
                        return chunk;
                    }
                } catch (BedrockStreamTranslator.StreamException e) {
                    Optional<UpstreamError> error = Optional.of(e.error());
                    throw e.status() == 502 ? UpstreamException.reported(provider, error)
                            : UpstreamException.status(provider, e.status(), error, OptionalLong.empty());
                } catch (MalformedUpstreamException e) {
                    throw UpstreamException.malformed(provider, e.getMessage());
                }
            }
            return Optional.empty();
        }

        /**
         * After {@code messageStop} only the end of the body remains; reading it keeps the connection pooled. A
         * stream that ended any other way, cut off, failed or abandoned, closes its connection.
         */
        @Override
        public void close() {
            if (!translator.stopped()) {
                response.abort();
                return;
            }
            if (!atEnd) {
                try {
                    if (body.readNBytes(MAX_TRAILING_BYTES + 1).length > MAX_TRAILING_BYTES) {
                        LOGGER.log(Level.FINE, "upstream " + provider + " sent more after its last event; "
                                + "connection dropped");
                    }
                } catch (IOException | RuntimeException e) {
                    LOGGER.log(Level.FINE, "upstream " + provider + " broke after messageStop; connection dropped");
                }
            }
            response.close();
        }
    }
}
