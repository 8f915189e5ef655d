package dev.veil.spi.plugin;

/**
 * Exchange attributes Veil itself reads or writes. Plugins that produce these facts record them under these keys,
 * so that policy, audit and other plugins find them.
 *
 * <p>Every value is of a JDK or SPI type with a fixed meaning, never a raw collection, so that producer and reader
 * agree on its contents. New keys may be added in a minor version; a key's type never changes within a major one.
 */
public final class Attributes {
    /**
     * PII findings of the request as counts by type ({@code EMAIL} → 2), never values. Written by redaction plugins
     * in the request and embeddings phases, each adding its own to what earlier ones recorded
     * ({@link PiiFindings#plus}); read by the policy input, the audit log, the {@code x-veil-redactions} header and
     * telemetry.
     */
    public static final AttributeKey<PiiFindings> PII_FINDINGS = AttributeKey.of("pii.findings", PiiFindings.class);

    /**
     * The pseudonyms of the conversation this exchange continues, so that a placeholder stands for the same value in
     * every turn (a {@code previous_response_id} chain, whose earlier turns Veil replays to the provider).
     *
     * <ul>
     *   <li>The host puts it before the request phase when it keeps the exchange's conversation: the pseudonyms
     *       stored with the previous turn, {@link Pseudonyms#NONE} on the first. It is absent on an exchange outside
     *       a conversation (chat completions, embeddings): redaction plugins then number from 1 per request and do
     *       not write it.</li>
     *   <li>A redaction plugin that honours it, in its request phase, hands out for a value a placeholder in it
     *       already stands for (same type, same value) that placeholder; numbers a new value after the highest number
     *       of its type in it ({@link Pseudonyms#lastNumber}), skipping any placeholder-shaped text of the request;
     *       restores all of its placeholders in the answer; and, after redacting, puts back the pseudonyms extended
     *       by the ones it handed out — every entry it was given kept, whatever mode finally applies to its type. A
     *       later redaction plugin thus continues the numbering of an earlier one.</li>
     *   <li>After the exchange the host stores the value it finds here with the conversation, encrypted, under the
     *       conversation's retention, for the next turn; never anywhere else, and never in a log, span, metric or
     *       audit record.</li>
     * </ul>
     */
    public static final AttributeKey<Pseudonyms> CONVERSATION_PSEUDONYMS = AttributeKey.of(
            "pii.conversation_pseudonyms", Pseudonyms.class);

    /**
     * Whether the exchange must leave nothing behind at the provider or in Veil's own stores. Written by the client's
     * {@code x-veil-zero-retention: true} header, by plugins, and by a policy decision.
     */
    public static final AttributeKey<Boolean> ZERO_RETENTION = AttributeKey.of("retention.zero", Boolean.class);

    /**
     * Why {@link #ZERO_RETENTION} applies, as a code for the audit record — never the tenant, label or data class
     * itself: {@code header} (the client asked), {@code tenant}, {@code label}, {@code data_class} or {@code all}
     * (the {@code zero-retention} plugin's settings required it), or {@code policy} (the decision required it). A
     * requirement from configuration replaces {@code header}; {@code policy} is recorded only when nothing earlier
     * required zero retention. Plugins of their own that require zero retention record a code of their own.
     */
    public static final AttributeKey<String> ZERO_RETENTION_REASON = AttributeKey.of("retention.reason",
            String.class);

    /**
     * The id of the decision taken for this exchange, as in the {@code x-veil-decision-id} header: OPA's when its
     * decision logging is on, else one Veil gave it ({@code veil-<uuid>}).
     */
    public static final AttributeKey<String> POLICY_DECISION_ID = AttributeKey.of("policy.decision_id", String.class);

    /**
     * Which policies took the decision: {@code bundle:<name>@<revision>} for each bundle OPA loaded (comma-separated),
     * or {@code sha256:<hex>} of the policy modules it loaded from files. Since SPI 2.4.
     */
    public static final AttributeKey<String> POLICY_REVISION = AttributeKey.of("policy.revision", String.class);

    /** The policy's reasons for denying the exchange; written only on a denial, read by the audit log. */
    public static final AttributeKey<PolicyReasons> POLICY_REASONS = AttributeKey.of("policy.reasons",
            PolicyReasons.class);

    /** Set to true when the policy engine could not decide and the fail-open mode let the request through. */
    public static final AttributeKey<Boolean> POLICY_FAILED_OPEN = AttributeKey.of("policy.failed_open",
            Boolean.class);

    /**
     * The redaction modes the policy decision requires by PII type ({@code PERSON} → {@code block}), for redaction
     * plugins to apply in the decision phase; absent when the decision requires none.
     */
    public static final AttributeKey<RedactionObligations> POLICY_REDACT = AttributeKey.of("policy.redact",
            RedactionObligations.class);

    /**
     * Where and how the request is dispatched. Veil records the route it resolved from the model name before the
     * request phase (absent when it could resolve none); a routing plugin may replace it.
     */
    public static final AttributeKey<Route> ROUTE = AttributeKey.of("routing.route", Route.class);

    /**
     * The client's {@code x-veil-cache} request control: {@code no-store} (neither answer from nor write to a
     * cache) or {@code refresh} (do not answer from a cache, but store the fresh answer).
     */
    public static final AttributeKey<String> CACHE_CONTROL = AttributeKey.of("cache.control", String.class);

    /**
     * What a cache did for this exchange — {@code hit}, {@code miss} or {@code bypass} — for the {@code x-veil-cache}
     * response header, metrics and the audit record.
     */
    public static final AttributeKey<String> CACHE_STATUS = AttributeKey.of("cache.status", String.class);

    private Attributes() {
    }
}
