package dev.veil.plugins.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.ToolCall;
import dev.veil.spi.Usage;

/**
 * Writes a complete answer as bytes for the shared tier and reads it back equal, every field included. The format
 * starts with a version: a replica that meets a version it does not know (written by a newer Veil during a rolling
 * upgrade) takes it as a miss.
 */
final class AnswerCodec {
    static final byte VERSION = 1;
    private static final int TEXT = 0;
    private static final int IMAGE = 1;
    private static final int OTHER = 2;

    private AnswerCodec() {
    }

    /**
     * The answer as bytes; empty when it holds a kind of content part a later SPI added, which this plugin cannot
     * write (the memory tier still keeps such an answer).
     */
    static Optional<byte[]> encode(ChatResponse answer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            string(out, answer.id());
            out.writeLong(answer.created());
            string(out, answer.model());
            optional(out, answer.systemFingerprint());
            extensions(out, answer.extensions());
            out.writeBoolean(answer.usage().isPresent());
            if (answer.usage().isPresent()) {
                usage(out, answer.usage().get());
            }
            out.writeInt(answer.choices().size());
            for (Choice choice : answer.choices()) {
                out.writeInt(choice.index());
                optional(out, choice.finishReason().map(FinishReason::wireName));
                extensions(out, choice.extensions());
                if (!message(out, choice.message())) {
                    return Optional.empty();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return Optional.of(bytes.toByteArray());
    }

    /**
     * The answer these bytes hold.
     *
     * @throws IllegalArgumentException when they are not an answer this version wrote
     */
    static ChatResponse decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("format version " + version + ", this Veil reads " + VERSION);
            }
            ChatResponse.Builder answer = ChatResponse.builder(string(in), in.readLong(), string(in));
            optional(in).ifPresent(answer::systemFingerprint);
            answer.extensions(extensions(in));
            if (in.readBoolean()) {
                answer.usage(usage(in));
            }
            int count = count(in);
            List<Choice> choices = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int index = in.readInt();
                Optional<FinishReason> finish = optional(in).map(FinishReason::fromWireName);
                Extensions extensions = extensions(in);
                Choice choice = Choice.of(index, message(in)).withExtensions(extensions);
                choices.add(finish.map(choice::withFinishReason).orElse(choice));
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException("bytes after the answer");
            }
            return answer.choices(choices).build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not an answer: " + e.getClass().getSimpleName(), e);
        }
    }

    private static boolean message(DataOutputStream out, ChatMessage message) throws IOException {
        string(out, message.role().wireName());
        out.writeInt(message.content().size());
        for (ContentPart part : message.content()) {
            switch (part) {
                case ContentPart.Text text -> {
                    out.writeByte(TEXT);
                    string(out, text.text());
                    extensions(out, text.extensions());
                }
                case ContentPart.Image image -> {
                    out.writeByte(IMAGE);
                    string(out, image.url());
                    optional(out, image.detail());
                    extensions(out, image.extensions());
                }
                case ContentPart.Other other -> {
                    out.writeByte(OTHER);
                    string(out, other.type());
                    string(out, other.json().text());
                }
                default -> {
                    return false;
                }
            }
        }
        optional(out, message.name());
        out.writeInt(message.toolCalls().size());
        for (ToolCall call : message.toolCalls()) {
            string(out, call.id());
            string(out, call.name());
            string(out, call.arguments());
        }
        optional(out, message.toolCallId());
        optional(out, message.reasoningContent());
        optional(out, message.refusal());
        extensions(out, message.extensions());
        return true;
    }

    private static ChatMessage message(DataInputStream in) throws IOException {
        String roleName = string(in);
        Role role = Role.fromWireName(roleName).orElseThrow(() -> new IllegalArgumentException("unknown role"));
        int parts = count(in);
        List<ContentPart> content = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            content.add(switch (in.readByte()) {
                case TEXT -> ContentPart.text(string(in)).withExtensions(extensions(in));
                case IMAGE -> {
                    ContentPart.Image image = ContentPart.image(string(in));
                    Optional<String> detail = optional(in);
                    yield detail.map(image::withDetail).orElse(image).withExtensions(extensions(in));
                }
                case OTHER -> ContentPart.other(string(in), RawJson.of(string(in)));
                default -> throw new IllegalArgumentException("unknown kind of part");
            });
        }
        ChatMessage.Builder message = ChatMessage.builder(role).content(content);
        optional(in).ifPresent(message::name);
        int calls = count(in);
        List<ToolCall> toolCalls = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            toolCalls.add(ToolCall.of(string(in), string(in), string(in)));
        }
        message.toolCalls(toolCalls);
        optional(in).ifPresent(message::toolCallId);
        optional(in).ifPresent(message::reasoningContent);
        optional(in).ifPresent(message::refusal);
        return message.extensions(extensions(in)).build();
    }

    private static void usage(DataOutputStream out, Usage usage) throws IOException {
        out.writeLong(usage.promptTokens());
        out.writeLong(usage.completionTokens());
        out.writeLong(usage.totalTokens());
        out.writeLong(usage.cachedPromptTokens());
        out.writeLong(usage.cacheWritePromptTokens());
        out.writeLong(usage.reasoningTokens());
        extensions(out, usage.extensions());
    }

    private static Usage usage(DataInputStream in) throws IOException {
        return Usage.builder(in.readLong(), in.readLong()).totalTokens(in.readLong())
                .cachedPromptTokens(in.readLong()).cacheWritePromptTokens(in.readLong())
                .reasoningTokens(in.readLong()).extensions(extensions(in)).build();
    }

    private static void extensions(DataOutputStream out, Extensions extensions) throws IOException {
        out.writeInt(extensions.fields().size());
        for (Map.Entry<String, RawJson> field : extensions.fields().entrySet()) {
            string(out, field.getKey());
            string(out, field.getValue().text());
        }
    }

    private static Extensions extensions(DataInputStream in) throws IOException {
        int count = count(in);
        Map<String, RawJson> fields = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            fields.put(string(in), RawJson.of(string(in)));
        }
        return Extensions.of(fields);
    }

    private static void optional(DataOutputStream out, Optional<String> value) throws IOException {
        out.writeBoolean(value.isPresent());
        if (value.isPresent()) {
            string(out, value.get());
        }
    }

    private static Optional<String> optional(DataInputStream in) throws IOException {
        return in.readBoolean() ? Optional.of(string(in)) : Optional.empty();
    }

    /** Length-prefixed UTF-8: {@link DataOutputStream#writeUTF} stops at 64 KiB, and answers can be longer. */
    private static void string(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String string(DataInputStream in) throws IOException {
        return new String(in.readNBytes(count(in)), StandardCharsets.UTF_8);
    }

    /** A length or count, checked against what is left, so a corrupt value cannot make a huge allocation. */
    private static int count(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > in.available()) {
            throw new IllegalArgumentException("a count past the end");
        }
        return count;
    }
}
