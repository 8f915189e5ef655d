/**
 * The optional model-based detector ({@code ner} in the plugin's settings): a token-classification model in ONNX,
 * run in-process by ONNX Runtime, whose findings join the rule-based ones. Entry point:
 * {@link dev.veil.plugins.pii.detect.ner.NerSettings}. Nothing here is loaded unless {@code ner} is configured, so
 * that ONNX Runtime's classes and native library stay out of a default start.
 */
package dev.veil.plugins.pii.detect.ner;
