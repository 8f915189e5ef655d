package dev.veil.server.cli;

import java.math.BigDecimal;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Number options in the user's words: a value that is not one is a usage mistake before anything is sent. */
final class Numbers {
    private Numbers() {
    }

    static final class WholeNumber implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
        }
    }

    static final class Dollars implements ITypeConverter<BigDecimal> {
        @Override
        public BigDecimal convert(String value) {
            try {
                return new BigDecimal(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number of US dollars, such as 12.50");
            }
        }
    }
}
