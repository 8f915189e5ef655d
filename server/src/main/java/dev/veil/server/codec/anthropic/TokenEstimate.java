package dev.veil.server.codec.anthropic;

import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ContentPart;
import dev.veil.spi.ToolCall;
import dev.veil.spi.ToolDefinition;

/**
 * An estimate of a request's input tokens for {@code /v1/messages/count_tokens}, the same for every target: about
 * four characters of text (and of tool schemas, tool calls, blocks passed verbatim) per token, a few tokens of
 * framing per message and tool, and a flat 1,600 tokens per image (Anthropic's figure for a ~1.15 megapixel image).
 * It is meant for budgeting context, not billing; the {@code x-veil-token-count: estimate} response header says so.
 */
public final class TokenEstimate {
    static final int PER_MESSAGE = 4;
    static final int PER_TOOL = 8;
    static final int PER_IMAGE = 1600;

    private TokenEstimate() {
    }

    public static long inputTokens(ChatRequest request) {
        long chars = 0;
        long tokens = 0;
        for (ChatMessage message : request.messages()) {
            tokens += PER_MESSAGE;
            for (ContentPart part : message.content()) {
                switch (part) {
                    case ContentPart.Text text -> chars += text.text().length();
                    case ContentPart.Image image -> tokens += PER_IMAGE;
                    case ContentPart.Other other -> chars += other.json().text().length();
                }
            }
            chars += message.reasoningContent().map(String::length).orElse(0);
            for (ToolCall call : message.toolCalls()) {
                chars += call.name().length() + call.arguments().length();
            }
        }
        for (ToolDefinition tool : request.tools()) {
            tokens += PER_TOOL;
            chars += tool.name().length() + tool.description().map(String::length).orElse(0)
                    + tool.parameters().map(p -> p.text().length()).orElse(0);
        }
        return Math.max(1, tokens + (chars + 3) / 4);
    }
}
