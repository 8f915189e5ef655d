package dev.veil.server.accounting;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.veil.server.config.AuthConfig;

/**
 * The rate windows of users whose issuer sets {@code user-limits}, one per tenant and user. Users are many and come
 * and go, so a window is made at a user's first request and dropped once idle for longer than a window lasts, when
 * it would count nothing any more.
 */
final class UserWindows {
    private static final Duration IDLE = Duration.ofMillis(2 * RateWindow.MINUTE_MILLIS);

    private final Cache<String, RateWindow> windows = Caffeine.newBuilder().expireAfterAccess(IDLE).build();

    /** The window of {@code scopeId} ({@link BudgetScope#userId}); a new one when a reload changed the limits. */
    RateWindow window(String scopeId, AuthConfig.UserLimits limits) {
        return windows.asMap().compute(scopeId, (id, window) -> window != null
                && window.requestsPerMinute == limits.requestsPerMinute()
                && window.tokensPerMinute == limits.tokensPerMinute()
                ? window : new RateWindow(limits.requestsPerMinute(), limits.tokensPerMinute()));
    }
}
