package dev.veil.plugins.pii;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;

import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.DecisionPhase;
import dev.veil.spi.plugin.EmbeddingsPhase;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.PiiFindings;
import dev.veil.spi.plugin.Pseudonyms;
import dev.veil.spi.plugin.PseudonymizedText;
import dev.veil.spi.plugin.RedactionObligations;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.ResponsePhase;
import dev.veil.spi.plugin.StreamPhase;
import dev.veil.spi.plugin.StreamTransformer;
import dev.veil.spi.plugin.TextPhase;

/**
 * Keeps personal data and secrets from leaving with a prompt, and gives the user an answer that reads as if they
 * had not. Request phase: every finding is replaced by a per-request placeholder ({@code <EMAIL_1>}) and its counts
 * by type are recorded for the policy, audit and the {@code x-veil-redactions} header. Decision phase: the final
 * mode of each type (config, overridden by the decision's {@code redact}) is applied — {@code block} refuses the
 * request, {@code mask} and {@code hash} replace placeholders for good. Response and stream phases: the remaining
 * placeholders are put back, and optionally new personal data in the answer is redacted.
 *
 * <p>The placeholder → value mapping exists only in this exchange's memory, under an attribute no other part of Veil
 * reads, and is gone when the exchange is. Its size is bounded by {@code max-findings}: a request holding more
 * personal data than that is refused with a 413 before anything is sent. In a conversation Veil keeps, the mapping
 * starts from the conversation's and is handed back to the host, which keeps it encrypted with the conversation
 * ({@link Attributes#CONVERSATION_PSEUDONYMS}), so a placeholder stands for the same value in every turn.
 */
public final class PiiRedactionPlugin implements RequestPhase, DecisionPhase, ResponsePhase, StreamPhase,
        EmbeddingsPhase, TextPhase {
    /** Counts by type of new personal data redacted from answers ({@code scan-output}); never values. */
    public static final AttributeKey<PiiFindings> OUTPUT_FINDINGS = AttributeKey.of("pii.output_findings",
            PiiFindings.class);

    /** What the request phase did to one exchange's request. */
    private record Redacted(Placeholders placeholders, Set<String> types) {
    }

    private final PiiScanner scanner;
    private final Set<String> types;
    private final RedactionModes modes;
    private final KeyedHasher hasher;
    private final FindingsLimit limit;
    private final Optional<OutputScan> outputScan;
    private final AttributeKey<Redacted> state;

    /** @param types the types {@code scanner} reports */
    PiiRedactionPlugin(PiiScanner scanner, Set<String> types, RedactionModes modes, KeyedHasher hasher,
            boolean scanOutput, FindingsLimit limit) {
        this.scanner = scanner;
        this.types = Set.copyOf(types);
        this.modes = modes;
        this.hasher = hasher;
        this.limit = limit;
        this.outputScan = scanOutput ? Optional.of(new OutputScan(scanner, modes, hasher, limit)) : Optional.empty();
        // Private to this instance: two configured entries must not read each other's mapping.
        this.state = AttributeKey.of("pii-redaction.state." + System.identityHashCode(this), Redacted.class);
    }

    /** Frees what the detectors hold: the NER model's native session, when one is configured. */
    @Override
    public void close() {
        scanner.close();
    }

    /**
     * Pseudonymizes the request. In a conversation ({@link Attributes#CONVERSATION_PSEUDONYMS} present) it starts
     * from the conversation's placeholders, restores all of them in the answer, and puts back the conversation's
     * placeholders with those it handed out.
     */
    @Override
    public ChatRequest onRequest(ChatRequest request, Exchange exchange) {
        Optional<Pseudonyms> conversation = exchange.get(Attributes.CONVERSATION_PSEUDONYMS);
        RedactionSession session = session();
        conversation.ifPresent(session::seed);
        ChatRequest redacted;
        try {
            RequestTexts.forEach(request, session::reserve);
            redacted = RequestTexts.rewrite(request, redacting(session));
        } catch (TooManyFindingsException e) {
            throw limit.inRequest();
        }
        PiiFindings findings = PiiFindings.of(session.findings());
        if (conversation.isPresent()) {
            exchange.put(Attributes.CONVERSATION_PSEUDONYMS, session.pseudonyms());
        }
        Placeholders placeholders = session.placeholders();
        if (!findings.isEmpty()) {
            record(exchange, findings);
        }
        // Kept even when nothing was found: a replayed turn may carry the conversation's placeholders as the provider
        // wrote them, with no value left to find.
        if (!placeholders.isEmpty()) {
            exchange.put(state, new Redacted(placeholders, findings.types()));
        }
        return redacted;
    }

    @Override
    public ChatRequest onDecision(ChatRequest request, Exchange exchange) {
        Optional<Redacted> redacted = exchange.get(state);
        if (redacted.isEmpty()) {
            return request;
        }
        RedactionObligations decided = exchange.get(Attributes.POLICY_REDACT).orElse(RedactionObligations.NONE);
        Set<String> blocked = modes.blocked(redacted.get().types(), decided);
        if (!blocked.isEmpty()) {
            throw blocked(blocked);
        }
        Placeholders placeholders = redacted.get().placeholders();
        Map<String, String> settled = settled(placeholders, decided);
        if (settled.isEmpty()) {
            return request;
        }
        exchange.put(state, new Redacted(placeholders.without(settled.keySet()), redacted.get().types()));
        return RequestTexts.rewrite(request, RequestTexts.byJson(new Placeholders(settled, placeholders.maxLength())
                ::restore));
    }

    /**
     * Redacts embeddings inputs under the configured modes at once: there is no later decision phase for
     * embeddings and no answer to restore, so placeholders stay placeholders.
     */
    @Override
    public EmbeddingsRequest onEmbeddings(EmbeddingsRequest request, Exchange exchange) {
        RedactionSession session = session();
        EmbeddingsRequest redacted;
        try {
            RequestTexts.forEach(request, session::reserve);
            redacted = RequestTexts.rewrite(request, redacting(session));
        } catch (TooManyFindingsException e) {
            throw limit.inRequest();
        }
        PiiFindings findings = PiiFindings.of(session.findings());
        if (findings.isEmpty()) {
            return request;
        }
        record(exchange, findings);
        Set<String> blocked = modes.blocked(findings.types(), RedactionObligations.NONE);
        if (!blocked.isEmpty()) {
            throw blocked(blocked);
        }
        Placeholders placeholders = session.placeholders();
        Map<String, String> settled = settled(placeholders, RedactionObligations.NONE);
        if (settled.isEmpty()) {
            return redacted;
        }
        return RequestTexts.rewrite(redacted, RequestTexts.byJson(new Placeholders(settled, placeholders.maxLength())
                ::restore));
    }

    /**
     * Pseudonymizes a tool's result for the MCP gateway, continuing {@code conversation}. Every finding stays a
     * placeholder whatever the configured mode: the gateway restores placeholders in the agent's next tool call, and
     * a masked or hashed value could not be restored.
     */
    @Override
    public PseudonymizedText pseudonymize(String text, Pseudonyms conversation) {
        RedactionSession session = session();
        session.seed(conversation);
        String redacted;
        try {
            session.reserve(text);
            redacted = session.redact(text, false);
        } catch (TooManyFindingsException e) {
            throw limit.inRequest();
        }
        return PseudonymizedText.of(redacted, PiiFindings.of(session.findings()), session.pseudonyms());
    }

    private RedactionSession session() {
        return new RedactionSession(scanner, types, limit.max());
    }

    /**
     * Replaces each finding by its placeholder, written as the field's kind needs: without angle brackets in a
     * participant name, as the keyed hash of its value in an end user's identifier.
     */
    private RequestTexts.FieldRewrite redacting(RedactionSession session) {
        return (text, kind) -> {
            String redacted = session.redact(text, kind.json());
            if (redacted == text) {
                return text;
            }
            return switch (kind) {
                case NAME -> RedactionSession.PLACEHOLDER.matcher(redacted)
                        .replaceAll(m -> m.group(1) + "_" + m.group(2));
                case END_USER, END_USER_JSON -> {
                    Map<String, String> originals = session.placeholders().originals();
                    yield RedactionSession.PLACEHOLDER.matcher(redacted).replaceAll(m -> {
                        String original = originals.get(m.group());
                        return Matcher.quoteReplacement(original == null ? m.group()
                                : Masking.hash(hasher, m.group(1), original));
                    });
                }
                default -> redacted;
            };
        };
    }

    /** The final text of each placeholder whose type's mode is mask or hash; pseudonymized ones stay as they are. */
    private Map<String, String> settled(Placeholders placeholders, RedactionObligations decided) {
        Map<String, String> settled = new HashMap<>();
        placeholders.originals().forEach((placeholder, original) -> {
            String type = RedactionSession.typeOf(placeholder);
            switch (modes.of(type, decided)) {
                case MASK -> settled.put(placeholder, Masking.mask(original));
                case HASH -> settled.put(placeholder, Masking.hash(hasher, type, original));
                default -> {
                }
            }
        });
        return settled;
    }

    @Override
    public ChatResponse onResponse(ChatResponse response, Exchange exchange) {
        ChatResponse answer = response;
        // Scanned before restoring: the client's own values, put back below, are not new findings.
        if (outputScan.isPresent()) {
            Map<String, Integer> counts = new TreeMap<>();
            answer = AnswerTexts.rewrite(answer, outputScan.get().rewrite(
                    exchange.get(Attributes.POLICY_REDACT).orElse(RedactionObligations.NONE), counts));
            if (!counts.isEmpty()) {
                exchange.put(OUTPUT_FINDINGS, PiiFindings.of(counts));
            }
        }
        Placeholders placeholders = placeholders(exchange);
        return placeholders.isEmpty() ? answer : AnswerTexts.rewrite(answer, placeholders::restore);
    }

    @Override
    public StreamTransformer openStream(ChatRequest request, Exchange exchange) {
        Placeholders placeholders = placeholders(exchange);
        StreamTransformer restore = placeholders.isEmpty() ? StreamTransformer.PASS_THROUGH
                : StreamTextRewriter.restoring(placeholders);
        if (outputScan.isEmpty()) {
            return restore;
        }
        Map<String, Integer> counts = new TreeMap<>();
        TextRewrite scan = outputScan.get().rewrite(exchange.get(Attributes.POLICY_REDACT)
                .orElse(RedactionObligations.NONE), counts);
        StreamTransformer scanning = new StreamTextRewriter(OutputScan::pendingFrom, (text, json) -> {
            String scanned = scan.apply(text, json);
            if (scanned != text) {
                exchange.put(OUTPUT_FINDINGS, PiiFindings.of(counts));
            }
            return scanned;
        });
        return restore == StreamTransformer.PASS_THROUGH ? scanning : new ChainedTransformer(scanning, restore);
    }

    private static VeilException blocked(Set<String> types) {
        return new VeilException(ErrorKind.INVALID_REQUEST, "The request contains personal data of a type that may "
                + "not be sent to a model provider: " + String.join(", ", types) + ". Remove it and retry.")
                .withCode("pii_blocked");
    }

    /** Nothing to restore and no output scan: the answer would pass unchanged, so it may pass untranslated. */
    @Override
    public boolean leavesAnswerAlone(Exchange exchange) {
        return outputScan.isEmpty() && placeholders(exchange).isEmpty();
    }

    private Placeholders placeholders(Exchange exchange) {
        return exchange.get(state).map(Redacted::placeholders).orElse(Placeholders.NONE);
    }

    /** Adds to what earlier entries found: another redaction plugin, or this one configured twice, may run first. */
    private static void record(Exchange exchange, PiiFindings findings) {
        exchange.put(Attributes.PII_FINDINGS, exchange.get(Attributes.PII_FINDINGS)
                .map(earlier -> earlier.plus(findings)).orElse(findings));
    }
}
