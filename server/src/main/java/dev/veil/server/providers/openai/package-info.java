/**
 * OpenAI, Azure OpenAI and OpenAI-compatible servers. Entry point:
 * {@link dev.veil.server.providers.openai.OpenAiProviders}.
 */
package dev.veil.server.providers.openai;
