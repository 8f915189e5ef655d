package dev.veil.server.codec;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.NumericNode;

/**
 * A number of a client's request that is written back exactly as the client wrote it ({@code 1e99999}, {@code -0.0},
 * {@code 1.0000000000000000000001}), and read like the node Jackson would have built for it. Veil forwards fields it
 * does not interpret verbatim; a double in between would turn the first into {@code "Infinity"} and round the others.
 */
final class ExactNumber extends NumericNode {
    private final NumericNode value;
    private final String text;

    ExactNumber(NumericNode value, String text) {
        this.value = value;
        this.text = text;
    }

    @Override
    public void serialize(JsonGenerator generator, SerializerProvider provider) throws IOException {
        generator.writeNumber(text);
    }

    @Override
    public String asText() {
        return text;
    }

    @Override
    public JsonToken asToken() {
        return value.asToken();
    }

    @Override
    public JsonParser.NumberType numberType() {
        return value.numberType();
    }

    @Override
    public boolean isIntegralNumber() {
        return value.isIntegralNumber();
    }

    @Override
    public boolean isFloatingPointNumber() {
        return value.isFloatingPointNumber();
    }

    @Override
    public boolean isInt() {
        return value.isInt();
    }

    @Override
    public boolean isLong() {
        return value.isLong();
    }

    @Override
    public boolean isBigInteger() {
        return value.isBigInteger();
    }

    @Override
    public boolean isDouble() {
        return value.isDouble();
    }

    @Override
    public boolean canConvertToInt() {
        return value.canConvertToInt();
    }

    @Override
    public boolean canConvertToLong() {
        return value.canConvertToLong();
    }

    @Override
    public boolean canConvertToExactIntegral() {
        return value.canConvertToExactIntegral();
    }

    @Override
    public Number numberValue() {
        return value.numberValue();
    }

    @Override
    public int intValue() {
        return value.intValue();
    }

    @Override
    public long longValue() {
        return value.longValue();
    }

    @Override
    public double doubleValue() {
        return value.doubleValue();
    }

    @Override
    public BigDecimal decimalValue() {
        return value.decimalValue();
    }

    @Override
    public BigInteger bigIntegerValue() {
        return value.bigIntegerValue();
    }

    @Override
    public boolean isNaN() {
        return value.isNaN();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ExactNumber number && text.equals(number.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
