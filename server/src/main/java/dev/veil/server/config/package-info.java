/**
 * The YAML config, validated whole at startup. Entry point: {@link dev.veil.server.config.ConfigLoader}, which reads
 * the YAML and has {@link dev.veil.server.config.VeilConfig} and each section record parse their part through one
 * typed reader, failing with a {@link dev.veil.server.config.ConfigException} naming the key and the fix.
 */
package dev.veil.server.config;
