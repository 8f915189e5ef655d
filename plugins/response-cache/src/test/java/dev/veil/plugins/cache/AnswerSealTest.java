package dev.veil.plugins.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class AnswerSealTest {
    private static final byte[] KEY = key(1);
    private static final ResponseCachePlugin.Key ENTRY = new ResponseCachePlugin.Key("acme", "ab".repeat(32));
    private static final byte[] PLAINTEXT = "The capital of Norway is Oslo.".getBytes(StandardCharsets.UTF_8);

    private final AnswerSeal seal = new AnswerSeal(KEY);

    static byte[] key(int fill) {
        byte[] key = new byte[SharedSettings.KEY_BYTES];
        Arrays.fill(key, (byte) fill);
        return key;
    }

    @Test
    void opensWhatItSealed() {
        byte[] name = seal.name(ENTRY);

        assertThat(seal.open(name, seal.seal(name, PLAINTEXT))).hasValueSatisfying(opened ->
                assertThat(opened).isEqualTo(PLAINTEXT));
    }

    @Test
    void sealsTheSameAnswerDifferentlyEachTime() {
        byte[] name = seal.name(ENTRY);

        assertThat(seal.seal(name, PLAINTEXT)).isNotEqualTo(seal.seal(name, PLAINTEXT));
    }

    @Test
    void aValueMovedToAnotherEntryDoesNotOpen() {
        byte[] value = seal.seal(seal.name(ENTRY), PLAINTEXT);

        assertThat(seal.open(seal.name(new ResponseCachePlugin.Key("globex", ENTRY.digest())), value)).isEmpty();
    }

    @Test
    void aValueSealedWithAnotherKeyDoesNotOpen() {
        AnswerSeal other = new AnswerSeal(key(2));
        byte[] name = seal.name(ENTRY);

        assertThat(seal.open(name, other.seal(name, PLAINTEXT))).isEmpty();
    }

    @Test
    void anAlteredValueDoesNotOpen() {
        byte[] name = seal.name(ENTRY);
        byte[] value = seal.seal(name, PLAINTEXT);

        for (int i = 0; i < value.length; i++) {
            byte[] altered = value.clone();
            altered[i] ^= 1;
            assertThat(seal.open(name, altered)).as("byte %d flipped", i).isEmpty();
        }
        assertThat(seal.open(name, Arrays.copyOf(value, value.length - 1))).isEmpty();
        assertThat(seal.open(name, new byte[0])).isEmpty();
    }

    @Test
    void holdsNoPlaintextInTheValue() {
        byte[] value = seal.seal(seal.name(ENTRY), PLAINTEXT);

        assertThat(new String(value, StandardCharsets.ISO_8859_1)).doesNotContain("Norway", "Oslo");
    }

    @Test
    void namesAnEntryAlikeOnEveryReplicaWithTheSameKey() {
        assertThat(new AnswerSeal(key(1)).name(ENTRY)).isEqualTo(seal.name(ENTRY));
        assertThat(new AnswerSeal(key(2)).name(ENTRY)).isNotEqualTo(seal.name(ENTRY));
    }

    @Test
    void namesEachTenantsEntryApartWithoutTheTenantOrTheDigest() {
        String acme = new String(seal.name(ENTRY), StandardCharsets.US_ASCII);
        String globex = new String(seal.name(new ResponseCachePlugin.Key("globex", ENTRY.digest())),
                StandardCharsets.US_ASCII);

        assertThat(acme).isNotEqualTo(globex).startsWith(AnswerSeal.PREFIX).doesNotContain("acme", ENTRY.digest());
        assertThat(acme).hasSize(AnswerSeal.PREFIX.length() + 64);
    }

    @Test
    void keepsTheTenantAndDigestApartInTheName() {
        assertThat(seal.name(new ResponseCachePlugin.Key("ab", "c"))).isNotEqualTo(
                seal.name(new ResponseCachePlugin.Key("a", "bc")));
    }
}
