/**
 * The {@code response-cache} plugin. Entry point: {@link dev.veil.plugins.cache.ResponseCacheFactory}.
 */
package dev.veil.plugins.cache;
