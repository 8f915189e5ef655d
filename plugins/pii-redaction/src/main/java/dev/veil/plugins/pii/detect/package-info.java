/**
 * The PII detectors, one per type. Entry point: {@link dev.veil.plugins.pii.detect.Detector}.
 */
package dev.veil.plugins.pii.detect;
