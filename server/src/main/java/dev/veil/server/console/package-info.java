/**
 * The operator console at {@code /console}: hand-written HTML, CSS and JavaScript modules served from the classpath
 * under a strict content security policy, talking only to the admin API. Entry point:
 * {@link dev.veil.server.console.Console}.
 */
package dev.veil.server.console;
