package dev.veil.plugins.pii.detect.ner;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * A token-classification model run by ONNX Runtime: one sequence of token ids in, a score per label per token out.
 * The only class that touches ONNX Runtime, so that its classes and native library are loaded only when the
 * detector is configured.
 *
 * <p>A run is a native call: it holds its virtual thread's carrier for its whole length. So that model runs never
 * take every carrier at once, at most {@code max(1, (processors - 1) / threads)} run at a time; a caller waits for
 * its turn without holding a carrier, and an interrupt (the plugin's timeout) ends the wait.
 */
final class OnnxTokenClassifier implements AutoCloseable {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";

    /** Why a model cannot be used, for the startup message. */
    static final class UnusableModelException extends Exception {
        private static final long serialVersionUID = 1L;

        UnusableModelException(String message) {
            super(message);
        }
    }

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean tokenTypes;
    private final int labels;
    private final int concurrentRuns;
    private final Semaphore runs;
    private volatile boolean closed;

    private OnnxTokenClassifier(OrtEnvironment environment, OrtSession session, boolean tokenTypes, int labels,
            int concurrentRuns) {
        this.environment = environment;
        this.session = session;
        this.tokenTypes = tokenTypes;
        this.labels = labels;
        this.concurrentRuns = concurrentRuns;
        this.runs = new Semaphore(concurrentRuns);
    }

    /**
     * Loads a model and checks that it reads and writes what a token-classification model does.
     *
     * @param labels  how many labels the model is said to score
     * @param threads the threads one run may use
     */
    static OnnxTokenClassifier load(Path model, int labels, int threads) throws UnusableModelException {
        OrtEnvironment environment;
        try {
            environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "veil-pii-ner");
        } catch (RuntimeException | LinkageError e) {
            throw new UnusableModelException("ONNX Runtime cannot start on this platform (" + e.getMessage()
                    + "); it needs Linux, macOS or Windows on x64 or arm64, and a writable java.io.tmpdir for its "
                    + "native library (or -Donnxruntime.native.path)");
        }
        OrtSession session = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = environment.createSession(model.toString(), options);
            boolean tokenTypes = checkInputs(session.getInputInfo());
            checkOutput(session.getOutputInfo(), labels);
            int processors = Runtime.getRuntime().availableProcessors();
            return new OnnxTokenClassifier(environment, session, tokenTypes, labels,
                    Math.max(1, (processors - 1) / threads));
        } catch (OrtException e) {
            closeQuietly(session);
            throw new UnusableModelException("is not a model ONNX Runtime can load (" + e.getMessage() + ")");
        } catch (UnusableModelException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static boolean checkInputs(Map<String, NodeInfo> inputs) throws UnusableModelException {
        Set<String> names = inputs.keySet();
        boolean expected = names.contains(INPUT_IDS) && names.contains(ATTENTION_MASK)
                && (names.size() == 2 || (names.size() == 3 && names.contains(TOKEN_TYPE_IDS)));
        if (!expected) {
            throw new UnusableModelException("takes inputs " + names + "; a token-classification model takes "
                    + INPUT_IDS + " and " + ATTENTION_MASK + ", and optionally " + TOKEN_TYPE_IDS);
        }
        for (Map.Entry<String, NodeInfo> input : inputs.entrySet()) {
            if (!(input.getValue().getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.INT64
                    || tensor.getShape().length != 2) {
                throw new UnusableModelException("takes " + input.getKey() + " as " + input.getValue().getInfo()
                        + "; a token-classification model takes int64 [batch, sequence]");
            }
        }
        return names.contains(TOKEN_TYPE_IDS);
    }

    private static void checkOutput(Map<String, NodeInfo> outputs, int labels) throws UnusableModelException {
        NodeInfo first = outputs.values().iterator().next();
        if (!(first.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT
                || tensor.getShape().length != 3) {
            throw new UnusableModelException("writes " + first.getName() + " as " + first.getInfo()
                    + "; a token-classification model writes logits as float [batch, sequence, labels]");
        }
        long scored = tensor.getShape()[2];
        if (scored > 0 && scored != labels) {
            throw new UnusableModelException("scores " + scored + " labels, but the labels file lists " + labels
                    + "; give the labels of this model");
        }
    }

    int labels() {
        return labels;
    }

    /**
     * The model's scores for one sequence: {@code [position * labels() + label]}.
     *
     * @throws CancellationException when interrupted while waiting for its turn
     * @throws IllegalStateException once closed
     */
    float[] logits(long[] ids) {
        try {
            runs.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting to run the NER model");
        }
        try {
            if (closed) {
                throw new IllegalStateException("the NER model is closed");
            }
            return run(ids);
        } finally {
            runs.release();
        }
    }

    private float[] run(long[] ids) {
        long[] shape = {1, ids.length};
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1L);
        Map<String, OnnxTensor> inputs = new HashMap<>(4);
        try {
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(environment, LongBuffer.wrap(ones), shape));
            if (tokenTypes) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(environment,
                        LongBuffer.wrap(new long[ids.length]), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxValue logits = result.get(0);
                FloatBuffer buffer = ((OnnxTensor) logits).getFloatBuffer();
                float[] scores = new float[buffer.remaining()];
                buffer.get(scores);
                if (scores.length != ids.length * labels) {
                    throw new IllegalStateException("the NER model wrote " + scores.length + " scores for "
                            + ids.length + " tokens of " + labels + " labels");
                }
                return scores;
            }
        } catch (OrtException e) {
            // ONNX Runtime's message names shapes and nodes, never the input's values.
            throw new IllegalStateException("the NER model failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Waits for the runs under way, since freeing a session that a run still uses would crash the process. */
    @Override
    public void close() {
        runs.acquireUninterruptibly(concurrentRuns);
        try {
            if (!closed) {
                closed = true;
                closeQuietly(session);
            }
        } finally {
            runs.release(concurrentRuns);
        }
    }

    private static void closeQuietly(OrtSession session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (OrtException e) {
            // Nothing left to do with a session that cannot close; its memory goes with the process.
        }
    }
}
