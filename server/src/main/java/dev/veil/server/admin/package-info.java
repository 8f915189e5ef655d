/**
 * The admin API beside the request flow: virtual keys, budgets, usage and plugin state. Entry points:
 * {@link dev.veil.server.admin.AdminKeysEndpoint} and {@link dev.veil.server.admin.AdminPluginsEndpoint}; both
 * answer the master key or a virtual key with scope {@code admin} (confined to its tenant).
 */
package dev.veil.server.admin;
