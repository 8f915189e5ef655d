package dev.veil.server.policy;

import java.util.List;

import dev.veil.server.config.TargetRef;

/**
 * Proof that the policy stage ran for one request: the candidates it permitted, in its order. Only {@link PolicyCheck}
 * issues one, and dispatch takes nothing else ({@link dev.veil.server.dispatch.DispatchPlan} is built from a
 * clearance), so no code path can reach a provider without passing the policy — by construction, not by review.
 */
public final class Clearance {
    private final List<TargetRef> candidates;

    Clearance(List<TargetRef> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /** The candidates the policy permitted, in its order. */
    public List<TargetRef> candidates() {
        return candidates;
    }

    /** Whether {@code target} is one of the permitted candidates. */
    public boolean permits(TargetRef target) {
        return candidates.contains(target);
    }

    /**
     * This clearance for fewer candidates (zero retention removes providers that retain); a clearance can be
     * narrowed, never widened.
     *
     * @throws IllegalArgumentException when {@code subset} names a candidate the policy did not permit
     */
    public Clearance narrowed(List<TargetRef> subset) {
        for (TargetRef target : subset) {
            if (!permits(target)) {
                throw new IllegalArgumentException("target " + target + " was not cleared by the policy");
            }
        }
        return subset.equals(candidates) ? this : new Clearance(subset);
    }
}
