/**
 * Pieces shared by the adapters that translate the canonical model (Anthropic, Gemini, Bedrock).
 */
package dev.veil.server.codec.translation;
