package dev.veil.server.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * Signs checkpoints on the housekeeping thread, for the writer to insert with its next transaction. An Ed25519
 * signature costs the writer milliseconds when it runs once a second (too rarely for the JIT to compile it), and
 * every request waiting for a commit would wait that long too.
 */
final class CheckpointSigner {
    /** A signed checkpoint, ready to insert. */
    record Signed(long seq, long createdMillis, byte[] hash, byte[] signature) {
    }

    private final AuditKeys keys;
    private final ExecutorService housekeeping;
    private final Runnable onSigned;
    private final Queue<Signed> signed = new ConcurrentLinkedQueue<>();

    /** {@code onSigned} runs on the housekeeping thread after each signature, to have it inserted. */
    CheckpointSigner(AuditKeys keys, ExecutorService housekeeping, Runnable onSigned) {
        this.keys = keys;
        this.housekeeping = housekeeping;
        this.onSigned = onSigned;
    }

    /** Signs in the background; the result appears in {@link #take()}. */
    void submit(long seq, byte[] hash, long createdMillis) {
        housekeeping.execute(() -> {
            signed.add(sign(keys, seq, hash, createdMillis));
            onSigned.run();
        });
    }

    /** Signs on the calling thread: for the last checkpoint at shutdown. */
    Signed signNow(long seq, byte[] hash, long createdMillis) {
        return sign(keys, seq, hash, createdMillis);
    }

    /** Checkpoints signed so far and not yet taken. */
    List<Signed> take() {
        List<Signed> taken = new ArrayList<>();
        for (Signed next; (next = signed.poll()) != null; ) {
            taken.add(next);
        }
        return taken;
    }

    /** Puts checkpoints back whose insert was rolled back. */
    void putBack(List<Signed> checkpoints) {
        signed.addAll(checkpoints);
    }

    /** Waits until every submitted checkpoint has been signed. */
    void awaitSigned() throws InterruptedException {
        try {
            housekeeping.submit(() -> { }).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the housekeeping thread failed", e.getCause());
        }
    }

    private static Signed sign(AuditKeys keys, long seq, byte[] hash, long createdMillis) {
        return new Signed(seq, createdMillis, hash, keys.sign(AuditChain.checkpointMessage(seq, hash, createdMillis)));
    }
}
