/**
 * Who is calling. Entry point: {@link dev.veil.server.auth.Authenticator} (master key or virtual key).
 */
package dev.veil.server.auth;
