/**
 * Pieces shared by the codecs and adapters that translate the canonical model to other providers' formats (Anthropic,
 * Gemini, Bedrock): data URLs, merged turns, thinking blocks, and {@link dev.veil.server.codec.translation.WireJson}.
 */
package dev.veil.server.codec.translation;
