/**
 * Veil's stable plugin API: the canonical, provider-neutral model of chat and embeddings exchanges.
 */
package dev.veil.spi;
