/**
 * Hot reload: the running configuration every request starts on, swapped whole when the config file is reloaded
 * ({@code SIGHUP}, or a change to the file with {@code veil.reload: watch}), and what counts reloads.
 */
package dev.veil.server.reload;
