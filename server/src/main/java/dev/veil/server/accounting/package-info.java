/**
 * Accounting, in the pipeline's admit and settle stages: virtual keys, rate limits, budgets, prices and spend. Entry
 * point: {@link dev.veil.server.accounting.Metering}, which admits a request before dispatch and settles it after.
 */
package dev.veil.server.accounting;
