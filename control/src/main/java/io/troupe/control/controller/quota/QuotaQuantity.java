package io.troupe.control.controller.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Quantity;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * A resource quantity as quota arithmetic keeps it: the exact value and the format it was written in, so that
 * sums print the way apimachinery's {@code Quantity.String()} prints them ({@code 500m}, {@code 2}, {@code 1500m},
 * {@code 128Mi}, {@code 1Gi}, {@code 2k}).
 *
 * @param value the exact value in base units (cores, bytes, count)
 * @param binary whether it was written with a binary suffix (Ki, Mi, Gi...): Kubernetes' BinarySI format
 */
record QuotaQuantity(BigDecimal value, boolean binary) {
  static final QuotaQuantity ZERO = new QuotaQuantity(BigDecimal.ZERO, false);
  static final QuotaQuantity ONE = new QuotaQuantity(BigDecimal.ONE, false);

  private static final String[] DECIMAL_SUFFIXES = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
  private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  private static final BigInteger K1024 = BigInteger.valueOf(1024);

  QuotaQuantity {
    if (value == null) throw new IllegalArgumentException("value is required");
  }

  static QuotaQuantity of(long count) {
    return new QuotaQuantity(BigDecimal.valueOf(count), false);
  }

  /**
   * Parses a quantity ({@link io.troupe.persistence.model.QuantityFormatException} when malformed); as in
   * Kubernetes, precision below a nano-unit is rounded up.
   */
  static QuotaQuantity parse(JsonNode node) {
    BigDecimal value = Quantity.parse(node).amount();
    boolean binary = node.isTextual() && node.textValue().matches(".*[KMGTPE]i$");
    return new QuotaQuantity(value.setScale(9, RoundingMode.CEILING).stripTrailingZeros(), binary);
  }

  static QuotaQuantity parse(String text) {
    return parse(io.troupe.persistence.model.Json.MAPPER.getNodeFactory().textNode(text));
  }

  /** The sum, in the format of the first non-zero operand (a zero quantity takes the other's format, as in Go). */
  QuotaQuantity plus(QuotaQuantity other) {
    boolean format = value.signum() == 0 ? other.binary : binary;
    return new QuotaQuantity(value.add(other.value), format);
  }

  QuotaQuantity max(QuotaQuantity other) {
    return value.compareTo(other.value) >= 0 ? this : other;
  }

  boolean isGreaterThan(QuotaQuantity other) {
    return value.compareTo(other.value) > 0;
  }

  /** The canonical form: {@code Quantity.String()} of apimachinery. */
  @Override
  public String toString() {
    if (value.signum() == 0) return "0";
    if (binary) {
      BigDecimal integral = value.stripTrailingZeros();
      if (integral.scale() <= 0 && value.abs().compareTo(BigDecimal.valueOf(1024)) >= 0) {
        BigInteger mantissa = integral.toBigIntegerExact();
        int power = 0;
        while (power < BINARY_SUFFIXES.length - 1) {
          BigInteger[] qr = mantissa.divideAndRemainder(K1024);
          if (qr[1].signum() != 0) break;
          mantissa = qr[0];
          power++;
        }
        return mantissa + BINARY_SUFFIXES[power];
      }
    }
    return decimal(value);
  }

  /** DecimalSI: the largest exponent, a multiple of 3, that leaves an integral mantissa (nano at the least). */
  private static String decimal(BigDecimal value) {
    BigDecimal v = value.stripTrailingZeros();
    // unscaled * 10^exponent
    int exponent = -v.scale();
    BigInteger unscaled = v.unscaledValue();
    int down = Math.floorMod(exponent, 3);
    exponent -= down;
    unscaled = unscaled.multiply(BigInteger.TEN.pow(down));
    if (exponent < -9) {
      // below nano: rounded up to whole nanos
      BigDecimal nanos = new BigDecimal(unscaled, -exponent).movePointRight(9).setScale(0, RoundingMode.CEILING);
      unscaled = nanos.toBigIntegerExact();
      exponent = -9;
    }
    if (exponent > 18) {
      unscaled = unscaled.multiply(BigInteger.TEN.pow(exponent - 18));
      exponent = 18;
    }
    return unscaled + DECIMAL_SUFFIXES[exponent / 3 + 3];
  }
}
