/**
 * Plugin discovery, class loaders and the chain. Entry point: {@link dev.veil.server.plugins.PluginChain}, which runs
 * each phase's plugins under their timeout and fail mode.
 */
package dev.veil.server.plugins;
