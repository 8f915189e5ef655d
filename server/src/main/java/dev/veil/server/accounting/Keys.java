package dev.veil.server.accounting;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.veil.spi.ErrorKind;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Caller;

/**
 * The virtual keys: created, rotated and revoked through the store, and kept in memory by id so that checking a
 * presented key is a map read and one HMAC.
 *
 * <p>A key reads {@code vk-<id>-<secret>}: a 16-hex-digit id and 32 random bytes (256 bits) as base64url. Veil keeps
 * only HMAC-SHA-256(salt, secret) with a random 16-byte salt per key. A slow password hash (scrypt, PBKDF2) exists
 * to make guessing low-entropy passwords expensive; a 256-bit random secret cannot be guessed at any speed, so the
 * fast keyed hash is as safe and keeps authentication in microseconds. The salt makes equal secrets hash differently
 * and defeats precomputed tables if the database leaks.
 *
 * <p>Changes made through this instance (the admin API) reach the in-memory copy synchronously, so a revoked or
 * rotated key is refused from the next request on. Changes another replica makes to a shared store arrive through
 * {@link #reload}.
 */
public final class Keys {
    private static final String PREFIX = "vk-";
    private static final int ID_HEX = 16;
    private static final int SECRET_BYTES = 32;
    private static final int KEY_LENGTH = PREFIX.length() + ID_HEX + 1 + 43;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder SECRET_ENCODING = Base64.getUrlEncoder().withoutPadding();

    /** A key as the request path sees it: its record, its verifier and its rate windows. */
    public static final class Active {
        private final VirtualKey key;
        private final Mac verifier;
        private final byte[] hash;
        private final Pattern[] models;
        private final RateWindow window;
        private final Caller caller;
        private final long expiresAtMillis;

        Active(VirtualKey key, byte[] salt, byte[] hash, RateWindow window) {
            this.key = key;
            this.verifier = mac(salt);
            this.hash = hash.clone();
            this.models = key.models().stream().map(Keys::glob).toArray(Pattern[]::new);
            this.window = window;
            this.caller = new Caller(key.id(), key.tenant(), key.team(), key.labels());
            this.expiresAtMillis = key.expiresAt().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
        }

        public VirtualKey key() {
            return key;
        }

        public Caller caller() {
            return caller;
        }

        RateWindow window() {
            return window;
        }

        boolean expired(long nowMillis) {
            return nowMillis >= expiresAtMillis;
        }

        /** Whether the key may ask for {@code model}; a key without model globs may ask for any. */
        public boolean allows(String model) {
            if (models.length == 0) {
                return true;
            }
            for (Pattern pattern : models) {
                if (pattern.matcher(model).matches()) {
                    return true;
                }
            }
            return false;
        }

        boolean verifies(String secret) {
            Mac mac;
            try {
                mac = (Mac) verifier.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("HMAC-SHA-256 cannot be cloned", e);
            }
            return MessageDigest.isEqual(hash, mac.doFinal(secret.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    /**
     * A key just made: the only time its full text exists.
     *
     * @param key the stored record
     * @param secret the whole key, {@code vk-<id>-<secret>}, to show once
     */
    public record Issued(VirtualKey key, String secret) {
    }

    private final AccountingStore store;
    private final InstantSource clock;
    private final Map<String, Active> active = new ConcurrentHashMap<>();

    Keys(AccountingStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
        for (AccountingStore.StoredKey stored : store.keys()) {
            if (stored.key().revokedAt().isEmpty()) {
                active.put(stored.key().id(), new Active(stored.key(), stored.salt(), stored.hash(),
                        new RateWindow(stored.key().requestsPerMinute(), stored.key().tokensPerMinute())));
            }
        }
    }

    /**
     * Brings the in-memory keys in line with the store: keys revoked elsewhere stop working, keys created or rotated
     * elsewhere start working; an unchanged key keeps its object, and a key whose limits are unchanged its rate
     * window.
     */
    synchronized void reload() {
        Map<String, AccountingStore.StoredKey> stored = new HashMap<>();
        for (AccountingStore.StoredKey key : store.keys()) {
            if (key.key().revokedAt().isEmpty()) {
                stored.put(key.key().id(), key);
            }
        }
        active.keySet().removeIf(id -> !stored.containsKey(id));
        for (AccountingStore.StoredKey key : stored.values()) {
            Active current = active.get(key.key().id());
            if (current != null && current.key.equals(key.key()) && Arrays.equals(current.hash, key.hash())) {
                continue;
            }
            RateWindow window = current != null
                    && current.window.requestsPerMinute == key.key().requestsPerMinute()
                    && current.window.tokensPerMinute == key.key().tokensPerMinute()
                    ? current.window : new RateWindow(key.key().requestsPerMinute(), key.key().tokensPerMinute());
            active.put(key.key().id(), new Active(key.key(), key.salt(), key.hash(), window));
        }
    }

    /** Whether {@code presented} looks like a virtual key rather than the master key. */
    public static boolean isVirtualKey(String presented) {
        return presented.startsWith(PREFIX);
    }

    /**
     * The active key behind {@code presented}: 401 when it is unknown, revoked, wrong or expired. The message never
     * repeats the key.
     */
    public Active authenticate(String presented) {
        if (presented.length() != KEY_LENGTH || presented.charAt(PREFIX.length() + ID_HEX) != '-') {
            throw invalid();
        }
        Active key = active.get(presented.substring(PREFIX.length(), PREFIX.length() + ID_HEX));
        if (key == null || !key.verifies(presented.substring(PREFIX.length() + ID_HEX + 1))) {
            throw invalid();
        }
        if (key.expired(clock.millis())) {
            throw new VeilException(ErrorKind.AUTHENTICATION, "This API key has expired; ask your Veil administrator "
                    + "for a new one").withCode("expired_api_key");
        }
        return key;
    }

    /** The active key with this id, if there is one (revoked keys are not active). */
    public Optional<Active> active(String id) {
        return Optional.ofNullable(active.get(id));
    }

    /**
     * Creates a key; {@code template}'s id, times and revocation are ignored. A value out of {@link ValueBounds} is a
     * 400 before anything is stored.
     */
    public synchronized Issued create(VirtualKey template) {
        ValueBounds.problem(template).ifPresent(problem -> {
            throw VeilException.invalidParam(problem.field(), problem.text());
        });
        String id = HexFormat.of().formatHex(bytes(ID_HEX / 2));
        VirtualKey key = new VirtualKey(id, template.name(), template.tenant(), template.team(), template.labels(),
                template.models(), template.scope(), template.expiresAt(), template.requestsPerMinute(),
                template.tokensPerMinute(), clock.instant(), Optional.empty(), Optional.empty());
        String secret = SECRET_ENCODING.encodeToString(bytes(SECRET_BYTES));
        byte[] salt = bytes(16);
        byte[] hash = hash(salt, secret);
        store.insertKey(key, salt, hash);
        active.put(id, new Active(key, salt, hash, new RateWindow(key.requestsPerMinute(), key.tokensPerMinute())));
        return new Issued(key, PREFIX + id + "-" + secret);
    }

    /** Replaces the secret of an active key; the old one stops working at once. Empty when no such active key. */
    public synchronized Optional<Issued> rotate(String id) {
        Active current = active.get(id);
        if (current == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String secret = SECRET_ENCODING.encodeToString(bytes(SECRET_BYTES));
        byte[] salt = bytes(16);
        byte[] hash = hash(salt, secret);
        store.replaceSecret(id, salt, hash, now);
        VirtualKey key = current.key().rotated(now);
        active.put(id, new Active(key, salt, hash, current.window()));
        return Optional.of(new Issued(key, PREFIX + id + "-" + secret));
    }

    /** Revokes a key from the next request on; empty when there is no such key, the key when there is. */
    public synchronized Optional<VirtualKey> revoke(String id) {
        Optional<VirtualKey> stored = find(id);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        if (stored.get().revokedAt().isPresent()) {
            return stored;
        }
        Instant now = clock.instant();
        store.revoke(id, now);
        active.remove(id);
        return Optional.of(stored.get().revoked(now));
    }

    /** Every key ever created, revoked ones included, oldest first. */
    public List<VirtualKey> list() {
        List<VirtualKey> keys = new ArrayList<>();
        for (AccountingStore.StoredKey stored : store.keys()) {
            keys.add(stored.key());
        }
        return keys;
    }

    public Optional<VirtualKey> find(String id) {
        return list().stream().filter(key -> key.id().equals(id)).findFirst();
    }

    private static VeilException invalid() {
        return new VeilException(ErrorKind.AUTHENTICATION, "Incorrect API key provided").withCode("invalid_api_key");
    }

    /** A model glob: {@code *} matches any run of characters, everything else itself. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    private static byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    static byte[] hash(byte[] salt, String secret) {
        return mac(salt).doFinal(secret.getBytes(StandardCharsets.US_ASCII));
    }

    private static Mac mac(byte[] salt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is unavailable", e);
        }
    }
}
