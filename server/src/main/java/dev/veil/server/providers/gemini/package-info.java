/**
 * Google's Gemini API. Entry point: {@link dev.veil.server.providers.gemini.GeminiAdapter}.
 */
package dev.veil.server.providers.gemini;
