/**
 * The {@code pii-redaction} plugin: personal data replaced with placeholders before a request leaves, restored in the
 * answer. Entry point: {@link dev.veil.plugins.pii.PiiRedactionFactory}.
 */
package dev.veil.plugins.pii;
