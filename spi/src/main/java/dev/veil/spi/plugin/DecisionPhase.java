package dev.veil.spi.plugin;

import dev.veil.spi.ChatRequest;

/**
 * Sees, and may change or reject, each chat request after the policy decision and before an intercepting plugin or
 * a provider answers it. This is where a plugin applies what the decision asks of it — for example the redaction
 * modes the policy sets by PII type ({@link Attributes#POLICY_REDACT}) — since the request phase runs before the
 * policy is asked. Runs in config order.
 */
public interface DecisionPhase extends Plugin {
    /**
     * @param request the request as the policy check left it
     * @param exchange the exchange, holding the decision's attributes
     * @return the request to continue with: {@code request} itself or a changed copy
     * @throws dev.veil.spi.VeilException to reject the request; the client gets that error
     */
    ChatRequest onDecision(ChatRequest request, Exchange exchange);
}
