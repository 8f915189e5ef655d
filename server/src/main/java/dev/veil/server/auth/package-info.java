/**
 * Authentication, the pipeline's first stage. Entry point: {@link dev.veil.server.auth.Authenticator} (master key,
 * virtual key, or a JSON Web Token from an issuer of {@code veil.auth.jwt}), which yields a
 * {@link dev.veil.server.auth.Principal}: the caller, the models a token allows and the admin {@link
 * dev.veil.server.auth.Role roles}.
 */
package dev.veil.server.auth;
