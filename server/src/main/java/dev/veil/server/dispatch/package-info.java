/**
 * The dispatch stage: model resolution, zero retention at dispatch, and failover. Entry point:
 * {@link dev.veil.server.dispatch.Dispatcher}, which tries a cleared plan's targets in order.
 */
package dev.veil.server.dispatch;
