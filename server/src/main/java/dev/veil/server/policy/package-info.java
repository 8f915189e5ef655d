/**
 * The policy stage. Entry point: {@link dev.veil.server.policy.PolicyCheck}, one OPA decision per request, which issues
 * the {@link dev.veil.server.policy.Clearance} dispatch requires.
 */
package dev.veil.server.policy;
