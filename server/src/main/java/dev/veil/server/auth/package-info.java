/**
 * Authentication, the pipeline's first stage. Entry point: {@link dev.veil.server.auth.Authenticator} (master key or
 * virtual key).
 */
package dev.veil.server.auth;
