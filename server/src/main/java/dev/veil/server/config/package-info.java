/**
 * The YAML config, validated whole at startup. Entry point: {@link dev.veil.server.config.ConfigLoader}, which fails
 * with a {@link dev.veil.server.config.ConfigException} naming the key and the fix.
 */
package dev.veil.server.config;
