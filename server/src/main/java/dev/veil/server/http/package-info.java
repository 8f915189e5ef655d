/**
 * The upstream HTTP client, the last stage before a provider. Entry point: {@link dev.veil.server.http.UpstreamClient},
 * one pooled client per process with bounded reads ({@link dev.veil.server.http.UpstreamLimits}); SSE streams are
 * framed by {@link dev.veil.server.http.SseReader}.
 */
package dev.veil.server.http;
