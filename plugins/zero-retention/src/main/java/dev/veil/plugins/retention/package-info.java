/**
 * The {@code zero-retention} plugin. Entry point: {@link dev.veil.plugins.retention.ZeroRetentionFactory}.
 */
package dev.veil.plugins.retention;
