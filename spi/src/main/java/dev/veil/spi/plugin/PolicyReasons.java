package dev.veil.spi.plugin;

import java.util.List;

/**
 * Why the policy denied an exchange, in the policy's own words and order. The value of
 * {@link Attributes#POLICY_REASONS}, recorded only on a denial and read by the audit log. Create it with {@link #of}.
 *
 * @param reasons the reasons; empty when the policy gave none
 */
public record PolicyReasons(List<String> reasons) {
    public PolicyReasons {
        reasons = List.copyOf(reasons);
    }

    /** The policy's reasons, in its order. */
    public static PolicyReasons of(List<String> reasons) {
        return new PolicyReasons(reasons);
    }

    public boolean isEmpty() {
        return reasons.isEmpty();
    }
}
