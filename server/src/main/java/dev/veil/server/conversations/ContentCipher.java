package dev.veil.server.conversations;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Seals what a stored response holds (model, input items, response, pseudonyms) into one blob with AES-256-GCM-SIV
 * (RFC 8452), as the audit log does: one data key serves every row for the file's whole life, and GCM-SIV keeps
 * random 96-bit nonces safe however many rows that key seals. The associated data is the row's clear columns (id,
 * tenant, previous id, times), so a blob moved to another row or tenant, or a row whose times or link were edited,
 * fails to open instead of opening as someone else's.
 */
final class ContentCipher {
    static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int FORMAT = 1;
    private static final byte[] DOMAIN = "veil-responses|v1".getBytes(StandardCharsets.US_ASCII);

    /** What a blob holds. */
    record Content(String model, byte[] inputItems, byte[] response, Map<String, String> pseudonyms) {
    }

    /** A sealed blob and the nonce it was sealed with. */
    record Sealed(byte[] nonce, byte[] ciphertext) {
    }

    /** The blob did not open: a wrong key, or a blob, nonce or clear column that is not the row's own. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused() {
            super(null, null, false, false);
        }
    }

    private final byte[] key;
    private final SecureRandom random = new SecureRandom();

    ContentCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the responses data key must be 32 bytes");
        }
        this.key = key.clone();
    }

    Sealed seal(byte[] associated, Content content) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] plaintext = encode(content);
        try {
            GCMSIVBlockCipher cipher = cipher(true, nonce, associated);
            byte[] out = new byte[cipher.getOutputSize(plaintext.length)];
            int written = cipher.processBytes(plaintext, 0, plaintext.length, out, 0);
            cipher.doFinal(out, written);
            return new Sealed(nonce, out);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    Content open(byte[] associated, byte[] nonce, byte[] ciphertext) throws Refused {
        if (nonce == null || ciphertext == null || nonce.length != NONCE_BYTES) {
            throw new Refused();
        }
        byte[] plaintext;
        try {
            GCMSIVBlockCipher cipher = cipher(false, nonce, associated);
            byte[] out = new byte[cipher.getOutputSize(ciphertext.length)];
            int written = cipher.processBytes(ciphertext, 0, ciphertext.length, out, 0);
            written += cipher.doFinal(out, written);
            plaintext = written == out.length ? out : Arrays.copyOf(out, written);
        } catch (InvalidCipherTextException | RuntimeException e) {
            throw new Refused();
        }
        try {
            return decode(plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private GCMSIVBlockCipher cipher(boolean encrypt, byte[] nonce, byte[] associated) {
        GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(AESEngine.newInstance());
        cipher.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BITS, nonce, associated));
        return cipher;
    }

    /**
     * The associated data of a row: every clear column, each length-prefixed so that no two rows share it by
     * shifting text from one column to the next.
     */
    static byte[] associated(String id, String tenant, String previousId, long createdMillis, long expiresMillis) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(DOMAIN);
            text(out, id);
            text(out, tenant);
            text(out, previousId == null ? "" : previousId);
            out.writeBoolean(previousId != null);
            out.writeLong(createdMillis);
            out.writeLong(expiresMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] encode(Content content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(content.inputItems().length
                + content.response().length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            text(out, content.model());
            bytes(out, content.inputItems());
            bytes(out, content.response());
            out.writeInt(content.pseudonyms().size());
            for (Map.Entry<String, String> pseudonym : content.pseudonyms().entrySet()) {
                text(out, pseudonym.getKey());
                text(out, pseudonym.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Only a blob this class sealed gets here (the tag proved it), so a malformed one is a bug, not damage. */
    private static Content decode(byte[] plaintext) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plaintext))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalStateException("a stored response in format " + format + ", written by a newer Veil");
            }
            String model = new String(bytes(in), StandardCharsets.UTF_8);
            byte[] inputItems = bytes(in);
            byte[] response = bytes(in);
            int count = in.readInt();
            Map<String, String> pseudonyms = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                pseudonyms.put(new String(bytes(in), StandardCharsets.UTF_8),
                        new String(bytes(in), StandardCharsets.UTF_8));
            }
            return new Content(model, inputItems, response, pseudonyms);
        } catch (IOException e) {
            throw new IllegalStateException("a stored response that this Veil sealed does not decode", e);
        }
    }

    private static void text(DataOutputStream out, String text) throws IOException {
        bytes(out, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("a length beyond the blob");
        }
        return in.readNBytes(length);
    }
}
