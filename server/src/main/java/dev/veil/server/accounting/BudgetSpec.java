package dev.veil.server.accounting;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * A spending limit on a key, a team or a tenant, for one calendar period (UTC).
 *
 * @param scope what it limits
 * @param period {@code day} or {@code month}
 * @param limitMicros the hard cap in micro-dollars; 0 means none (only the soft threshold applies)
 * @param softMicros the alert threshold in micro-dollars; 0 means no alert
 */
public record BudgetSpec(BudgetScope scope, String period, long limitMicros, long softMicros) {
    public static final String DAY = "day";
    public static final String MONTH = "month";

    /** The first day of the period that contains {@code day}. */
    public LocalDate periodStart(LocalDate day) {
        return MONTH.equals(period) ? day.withDayOfMonth(1) : day;
    }

    /** When the period that contains {@code day} ends. */
    public Instant periodEnd(LocalDate day) {
        LocalDate start = periodStart(day);
        return (MONTH.equals(period) ? start.plusMonths(1) : start.plusDays(1)).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
    }
}
