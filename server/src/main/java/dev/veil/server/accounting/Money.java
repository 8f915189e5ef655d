package dev.veil.server.accounting;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Micro-dollars, Veil's unit of spend, to and from the US dollars people read and write. */
public final class Money {
    private Money() {
    }

    /** {@code micros} as dollars with six decimals, such as {@code 0.001250}. */
    public static String format(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
    }

    /** {@code micros} as a JSON-friendly number of dollars. */
    public static BigDecimal usd(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    /** Dollars, exactly as written in a request, to micro-dollars (half up); throws past the range of a long. */
    public static long micros(BigDecimal usd) {
        return usd.movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
