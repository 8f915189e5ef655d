/**
 * Plugins, run by the pipeline at each phase. Entry points: {@link dev.veil.server.plugins.PluginCatalog}, which
 * discovers built-in and drop-in plugins (each drop-in in its own class loader), and
 * {@link dev.veil.server.plugins.PluginChain}, which runs each phase's plugins under their timeout and fail mode.
 */
package dev.veil.server.plugins;
