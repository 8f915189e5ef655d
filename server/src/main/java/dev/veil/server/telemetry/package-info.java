/**
 * Telemetry across every stage: request spans and metrics. Entry point:
 * {@link dev.veil.server.telemetry.RequestTelemetry}.
 */
package dev.veil.server.telemetry;
