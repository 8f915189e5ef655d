package dev.veil.server.providers.echo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import dev.veil.server.core.ChatStream;
import dev.veil.server.core.ProviderAdapter;
import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.Delta;
import dev.veil.spi.Embedding;
import dev.veil.spi.EmbeddingInput;
import dev.veil.spi.EmbeddingsRequest;
import dev.veil.spi.EmbeddingsResponse;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.Usage;

/**
 * Veil's built-in model ({@code veil/echo}): answers with the last user message, streamed word by word when asked,
 * and embeds text as small deterministic vectors. It needs no network, so a fresh install can be tried at once.
 */
public final class EchoAdapter implements ProviderAdapter {
    private static final int EMBEDDING_DIMENSIONS = 8;

    private final InstantSource clock;

    /** Dating answers by {@code clock}. */
    public EchoAdapter(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public ChatResponse chat(ChatRequest request, String model) {
        String answer = answer(request);
        return new ChatResponse(id(), now(), model,
                List.of(new Choice(0, ChatMessage.text(Role.ASSISTANT, answer), Optional.of(FinishReason.STOP),
                        Extensions.NONE)),
                Optional.of(usage(request, answer)), Optional.empty(), Extensions.NONE);
    }

    @Override
    public ChatStream stream(ChatRequest request, String model) {
        String answer = answer(request);
        String id = id();
        long created = now();
        List<ChatChunk> chunks = new ArrayList<>();
        chunks.add(chunk(id, created, model, new Delta(Optional.of(Role.ASSISTANT), Optional.of(""),
                Optional.empty(), Optional.empty(), List.of(), Extensions.NONE), Optional.empty()));
        for (String piece : pieces(answer)) {
            chunks.add(chunk(id, created, model, Delta.content(piece), Optional.empty()));
        }
        chunks.add(chunk(id, created, model, Delta.EMPTY, Optional.of(FinishReason.STOP)));
        chunks.add(new ChatChunk(id, created, model, List.of(), Optional.of(usage(request, answer)),
                Optional.empty(), Extensions.NONE));
        return new ChatStream() {
            private int next;

            @Override
            public Optional<ChatChunk> next() {
                return next < chunks.size() ? Optional.of(chunks.get(next++)) : Optional.empty();
            }

            @Override
            public void close() {
                next = chunks.size();
            }
        };
    }

    @Override
    public EmbeddingsResponse embeddings(EmbeddingsRequest request, String model) {
        List<String> inputs = switch (request.input()) {
            case EmbeddingInput.Texts texts -> texts.texts();
            case EmbeddingInput.Tokens tokens -> {
                List<String> asText = new ArrayList<>();
                for (int i = 0; i < tokens.size(); i++) {
                    asText.add(tokens.json().text() + "#" + i);
                }
                yield asText;
            }
        };
        boolean base64 = request.encodingFormat().filter("base64"::equals).isPresent();
        List<Embedding> data = new ArrayList<>(inputs.size());
        long tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] vector = vector(inputs.get(i));
            data.add(new Embedding(i, base64 ? base64(vector) : floats(vector)));
            tokens += estimateTokens(inputs.get(i));
        }
        return new EmbeddingsResponse(model, data, Optional.of(new Usage(tokens, 0, tokens, 0, 0, 0,
                Extensions.NONE)), Extensions.NONE);
    }

    @Override
    public List<String> models() {
        return List.of("echo");
    }

    private static String answer(ChatRequest request) {
        for (int i = request.messages().size() - 1; i >= 0; i--) {
            ChatMessage message = request.messages().get(i);
            if (message.role() == Role.USER) {
                return message.text();
            }
        }
        return "";
    }

    /** Splits after each space so that the pieces concatenate back to the answer exactly. */
    private static List<String> pieces(String answer) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < answer.length(); i++) {
            if (answer.charAt(i) == ' ') {
                pieces.add(answer.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < answer.length()) {
            pieces.add(answer.substring(start));
        }
        return pieces;
    }

    private static ChatChunk chunk(String id, long created, String model, Delta delta,
                                   Optional<FinishReason> finish) {
        return new ChatChunk(id, created, model, List.of(new ChunkChoice(0, delta, finish, Extensions.NONE)),
                Optional.empty(), Optional.empty(), Extensions.NONE);
    }

    private static Usage usage(ChatRequest request, String answer) {
        long prompt = 0;
        for (ChatMessage message : request.messages()) {
            prompt += estimateTokens(message.text()) + 3;
        }
        return Usage.of(prompt, estimateTokens(answer));
    }

    /** About four characters a token, the usual rule of thumb for English with BPE tokenizers. */
    private static long estimateTokens(String text) {
        return (text.length() + 3) / 4;
    }

    private static float[] vector(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        float[] vector = new float[EMBEDDING_DIMENSIONS];
        for (int i = 0; i < bytes.length; i++) {
            vector[i % EMBEDDING_DIMENSIONS] += (bytes[i] & 0xff) / 255f;
        }
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        float scale = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < vector.length; i++) {
            vector[i] *= scale;
        }
        return vector;
    }

    private static RawJson floats(float[] vector) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < vector.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(vector[i]);
        }
        return new RawJson(json.append(']').toString());
    }

    private static RawJson base64(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            buffer.putFloat(v);
        }
        return new RawJson("\"" + Base64.getEncoder().encodeToString(buffer.array()) + "\"");
    }

    private static String id() {
        return "chatcmpl-echo-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }
}
