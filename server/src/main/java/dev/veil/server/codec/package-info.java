/**
 * Wire formats, shared pieces: bounded JSON reading ({@link dev.veil.server.codec.Json}), exact numbers, model names
 * and upstream error bodies. Each format lives in its own sub-package: {@code codec.openai}, {@code codec.anthropic},
 * and {@code codec.translation} for what the translating adapters share.
 */
package dev.veil.server.codec;
