package dev.veil.server.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Decisions kept for reuse, bounded in number (Caffeine's frequency-aware eviction keeps those requests repeat), two
 * ways. An allow the policy marks reusable ({@link DecisionReuse}) is kept for the time it asks (at most
 * {@code maxPolicyTtl}), keyed on the input without the fields the policy says it does not depend on, so a later input
 * that differs only in them (another prompt length, say) is answered without OPA. And when {@code veil.opa.cache} is
 * configured, any decision is kept for the configured time for exactly the same input bytes. A denial is never kept
 * on the policy's word, so lifting one applies at once; and everything kept is dropped when OPA's policies or data
 * change ({@link #clear}), so a revoked permission is not reused past the next revision check.
 */
final class DecisionCache {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cache<Key, Kept> entries;
    private final Optional<Duration> exactTtl;
    private final Duration maxPolicyTtl;
    /** The directive of the last decision kept on the policy's word: the shape of the key to look up next. */
    private final AtomicReference<DecisionReuse> lastReuse = new AtomicReference<>();
    private final AtomicLong generation = new AtomicLong();

    /** A cache whose entries age by {@code ticker}. */
    DecisionCache(int maxEntries, Optional<Duration> exactTtl, Duration maxPolicyTtl, Ticker ticker) {
        this.exactTtl = exactTtl;
        this.maxPolicyTtl = maxPolicyTtl;
        this.entries = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfter(Expiry.writing((Key key, Kept kept) -> kept.ttl()))
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /** The decision kept for {@code input}, or null. */
    Decision get(byte[] input) {
        DecisionReuse reuse = lastReuse.get();
        if (reuse != null) {
            Kept kept = entries.getIfPresent(new Key(without(input, reuse.ignored()), reuse.ignored()));
            if (kept != null) {
                return kept.decision();
            }
        }
        if (exactTtl.isPresent()) {
            Kept kept = entries.getIfPresent(new Key(input, List.of()));
            return kept == null ? null : kept.decision();
        }
        return null;
    }

    /** Where the cache stands; pass it to {@link #put} for a decision asked for after reading it. */
    long generation() {
        return generation.get();
    }

    /**
     * Keeps {@code decision}, made for {@code input}, as far as the policy and the configuration allow; not when the
     * cache was {@linkplain #clear cleared} since {@code asked}, as the decision may come from what changed.
     */
    void put(byte[] input, Decision decision, long asked) {
        Optional<DecisionReuse> reuse = decision.reuse().filter(directive -> decision.allow());
        Kept kept;
        Key key;
        if (reuse.isPresent() && maxPolicyTtl.isPositive()) {
            DecisionReuse directive = reuse.get();
            key = new Key(without(input, directive.ignored()), directive.ignored());
            kept = new Kept(decision, directive.ttl().compareTo(maxPolicyTtl) < 0 ? directive.ttl() : maxPolicyTtl);
            lastReuse.set(directive);
        } else if (exactTtl.isPresent()) {
            key = new Key(input, List.of());
            kept = new Kept(decision, exactTtl.get());
        } else {
            return;
        }
        if (generation.get() == asked) {
            entries.put(key, kept);
        }
    }

    /** Drops every decision kept: the policies or data they came from changed. */
    void clear() {
        generation.incrementAndGet();
        lastReuse.set(null);
        entries.invalidateAll();
    }

    /** {@code input} without the fields at {@code paths}, as canonical bytes; {@code input} itself for none. */
    private static byte[] without(byte[] input, List<String> paths) {
        if (paths.isEmpty()) {
            return input;
        }
        try {
            JsonNode root = JSON.readTree(input);
            for (String path : paths) {
                String[] names = path.split("\\.");
                JsonNode parent = root;
                for (int i = 0; i < names.length - 1 && parent != null; i++) {
                    parent = parent.get(names[i]);
                }
                if (parent instanceof ObjectNode object) {
                    object.remove(names[names.length - 1]);
                }
            }
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException("the policy input could not be read again", e);
        }
    }

    /** A decision and how long it may be reused. */
    private record Kept(Decision decision, Duration ttl) {
    }

    /** An input document, with the fields a directive ignores removed, as a map key: equal bytes, equal key. */
    private static final class Key {
        private final byte[] bytes;
        private final List<String> ignored;
        private final int hash;

        Key(byte[] bytes, List<String> ignored) {
            this.bytes = bytes;
            this.ignored = ignored;
            this.hash = 31 * Arrays.hashCode(bytes) + ignored.hashCode();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && hash == key.hash && Arrays.equals(bytes, key.bytes)
                    && ignored.equals(key.ignored);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
