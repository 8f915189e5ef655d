package dev.veil.server.config;

import java.lang.management.ManagementFactory;

import com.sun.management.UnixOperatingSystemMXBean;

/**
 * How many client connections and concurrent requests Veil takes at once ({@code veil.limits.max-connections},
 * {@code veil.limits.max-concurrent-requests}). Every request in flight holds a client connection and an upstream one:
 * without a cap, an overload runs the process out of file descriptors, and the server's listening socket fails for
 * good. With one, excess connections wait in the accept backlog and excess requests get a 503, and Veil recovers when
 * the load drops.
 *
 * @param maxConnections client connections; 0 derives it from the open-file limit
 * @param maxConcurrentRequests requests in flight; 0 derives it from the open-file limit
 */
public record ConnectionLimits(int maxConnections, int maxConcurrentRequests) {
    /** The share of the open-file limit each may take: connections and upstream calls, with room for files. */
    private static final double SHARE = 0.4;
    private static final int FLOOR = 64;
    private static final long UNKNOWN_FILE_LIMIT = 4096;

    /** The caps under {@code veil.limits}. */
    static ConnectionLimits from(ConfigReader limits) {
        int maxConnections = limits.integer("max-connections").orElse(0);
        int maxConcurrentRequests = limits.integer("max-concurrent-requests").orElse(0);
        if (maxConnections < 0 || maxConcurrentRequests < 0) {
            throw limits.invalid("max-connections and max-concurrent-requests must not be negative (0 derives them "
                    + "from the process's open-file limit)");
        }
        return new ConnectionLimits(maxConnections, maxConcurrentRequests);
    }

    /** The connection cap, derived when not configured. */
    public int connections() {
        return maxConnections > 0 ? maxConnections : derived();
    }

    /** The concurrent-request cap, derived when not configured. */
    public int requests() {
        return maxConcurrentRequests > 0 ? maxConcurrentRequests : derived();
    }

    private static int derived() {
        long files = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : UNKNOWN_FILE_LIMIT;
        return (int) Math.max(FLOOR, Math.min(Integer.MAX_VALUE, (long) (files * SHARE)));
    }
}
