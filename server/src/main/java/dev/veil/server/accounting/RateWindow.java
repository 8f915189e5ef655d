package dev.veil.server.accounting;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A key's requests and tokens in the current minute: fixed one-minute windows aligned to the clock, counted with
 * atomics (no lock on the request path). Tokens are reserved as an estimate at admission and corrected to the actual
 * usage when the request settles. A fixed window lets a burst of up to twice the limit straddle a minute boundary;
 * that is the price of two atomic counters instead of a log of timestamps.
 */
final class RateWindow {
    static final long MINUTE_MILLIS = 60_000;

    /** One minute's counters. */
    static final class Window {
        final long minute;
        final AtomicLong requests = new AtomicLong();
        final AtomicLong tokens = new AtomicLong();

        Window(long minute) {
            this.minute = minute;
        }
    }

    /**
     * What admission found, for the {@code x-ratelimit-*} headers.
     *
     * @param window the minute charged, to correct its tokens later
     * @param remainingRequests requests left this minute after this one
     * @param remainingTokens tokens left this minute after this one's estimate
     * @param resetMillis milliseconds until the window resets
     * @param refused {@code requests} or {@code tokens} when refused, else null
     */
    record Admission(Window window, long remainingRequests, long remainingTokens, long resetMillis, String refused) {
    }

    final long requestsPerMinute;
    final long tokensPerMinute;
    private final AtomicReference<Window> current = new AtomicReference<>(new Window(0));

    RateWindow(long requestsPerMinute, long tokensPerMinute) {
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerMinute = tokensPerMinute;
    }

    boolean limited() {
        return requestsPerMinute > 0 || tokensPerMinute > 0;
    }

    /** Counts one request with {@code estimatedTokens}, unless that would exceed a limit. */
    Admission admit(long nowMillis, long estimatedTokens) {
        Window window = window(nowMillis);
        long reset = (window.minute + 1) * MINUTE_MILLIS - nowMillis;
        long requests = window.requests.incrementAndGet();
        if (requestsPerMinute > 0 && requests > requestsPerMinute) {
            window.requests.decrementAndGet();
            return new Admission(window, 0, remainingTokens(window), reset, "requests");
        }
        if (tokensPerMinute > 0 && window.tokens.get() >= tokensPerMinute) {
            window.requests.decrementAndGet();
            return new Admission(window, Math.max(0, requestsPerMinute - requests + 1), 0, reset, "tokens");
        }
        long tokens = window.tokens.addAndGet(estimatedTokens);
        return new Admission(window, requestsPerMinute > 0 ? Math.max(0, requestsPerMinute - requests) : -1,
                tokensPerMinute > 0 ? Math.max(0, tokensPerMinute - tokens) : -1, reset, null);
    }

    /** Undoes an admission whose request was refused by a later check. */
    void refund(Admission admission, long estimatedTokens) {
        admission.window().requests.decrementAndGet();
        admission.window().tokens.addAndGet(-estimatedTokens);
    }

    private long remainingTokens(Window window) {
        return tokensPerMinute > 0 ? Math.max(0, tokensPerMinute - window.tokens.get()) : -1;
    }

    private Window window(long nowMillis) {
        long minute = nowMillis / MINUTE_MILLIS;
        while (true) {
            Window window = current.get();
            if (window.minute == minute) {
                return window;
            }
            if (window.minute > minute) {
                return window;
            }
            Window next = new Window(minute);
            if (current.compareAndSet(window, next)) {
                return next;
            }
        }
    }
}
