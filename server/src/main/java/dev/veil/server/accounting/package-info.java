/**
 * Virtual keys, rate limits, budgets and spend. Entry point: {@link dev.veil.server.accounting.Metering}, which admits a
 * request before dispatch and settles it after.
 */
package dev.veil.server.accounting;
