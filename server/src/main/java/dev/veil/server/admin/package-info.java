/**
 * The admin API beside the request flow: tenants, teams, virtual keys, budgets, usage and plugin state. Entry points:
 * {@link dev.veil.server.admin.AdminApi} (one resource class each, request bodies bound to records by one binder)
 * and {@link dev.veil.server.admin.AdminPluginsEndpoint}; both answer the master key or a virtual key with scope
 * {@code admin} (confined to its tenant).
 */
package dev.veil.server.admin;
