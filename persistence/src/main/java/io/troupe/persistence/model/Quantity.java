package io.troupe.persistence.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A Kubernetes resource quantity ({@code 100m}, {@code 0.5}, {@code 128Mi}, {@code 1e3}, {@code 500M}) as an
 * exact decimal, read the way apimachinery's {@code resource.ParseQuantity} reads it.
 *
 * <p>The scheduler compares longs, never decimals: cpu in millicores ({@link #milliValue()}) and everything else
 * in units ({@link #value()}, bytes for memory). Both round up, as {@code MilliValue()} and {@code Value()} do, so
 * {@code 0.1m} of cpu is one millicore and {@code 100m} of memory is one byte.
 *
 * @param amount the exact value in base units (cores, bytes, count)
 */
public record Quantity(BigDecimal amount) {

  private static final String SYNTAX =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  // Beyond this no input that fits in a request can bring the value back into a long (or up to one unit).
  private static final long EXPONENT_LIMIT = 1_000_000_000L;

  public Quantity {
    if (amount == null) throw new IllegalArgumentException("amount is required");
  }

  /** Parses the string form; a JSON number is read as its decimal value. */
  public static Quantity parse(JsonNode node) {
    if (node != null && node.isNumber()) {
      try {
        return new Quantity(node.decimalValue());
      } catch (NumberFormatException e) {
        throw new QuantityFormatException("invalid quantity " + node + ": " + SYNTAX);
      }
    }
    if (node == null || !node.isTextual()) {
      throw new QuantityFormatException("invalid quantity " + node + ": " + SYNTAX);
    }
    return parse(node.textValue());
  }

  /**
   * Parses {@code <signed number><suffix>}: no suffix, a binary suffix ({@code Ki Mi Gi Ti Pi Ei}), a decimal
   * suffix ({@code n u m k M G T P E}) or a decimal exponent ({@code e3}, {@code E-2}).
   *
   * @throws QuantityFormatException naming the input and what was expected
   */
  public static Quantity parse(String text) {
    if (text == null || text.isEmpty()) throw invalid(text, SYNTAX);
    int i = 0;
    int length = text.length();
    if (text.charAt(0) == '+' || text.charAt(0) == '-') i++;
    int digits = 0;
    while (i < length && isDigit(text.charAt(i))) {
      i++;
      digits++;
    }
    if (i < length && text.charAt(i) == '.') {
      i++;
      while (i < length && isDigit(text.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) throw invalid(text, SYNTAX);
    BigDecimal number = new BigDecimal(text.substring(0, i));
    return new Quantity(scale(number, text, i));
  }

  /** Cpu: the quantity in millicores, rounded up. */
  public static long millicores(String text) {
    return parse(text).milliValue();
  }

  /** Memory (or any count): the quantity in units, rounded up. */
  public static long bytes(String text) {
    return parse(text).value();
  }

  /** The value in thousandths of a unit, rounded up (apimachinery's {@code MilliValue()}). */
  public long milliValue() {
    return ceilToLong(amount.movePointRight(3));
  }

  /** The value in units, rounded up (apimachinery's {@code Value()}). */
  public long value() {
    return ceilToLong(amount);
  }

  private static BigDecimal scale(BigDecimal number, String text, int suffixStart) {
    String suffix = text.substring(suffixStart);
    switch (suffix) {
      case "":
        return number;
      case "Ki":
        return number.multiply(BigDecimal.valueOf(1L << 10));
      case "Mi":
        return number.multiply(BigDecimal.valueOf(1L << 20));
      case "Gi":
        return number.multiply(BigDecimal.valueOf(1L << 30));
      case "Ti":
        return number.multiply(BigDecimal.valueOf(1L << 40));
      case "Pi":
        return number.multiply(BigDecimal.valueOf(1L << 50));
      case "Ei":
        return number.multiply(BigDecimal.valueOf(1L << 60));
      case "n":
        return number.scaleByPowerOfTen(-9);
      case "u":
        return number.scaleByPowerOfTen(-6);
      case "m":
        return number.scaleByPowerOfTen(-3);
      case "k":
        return number.scaleByPowerOfTen(3);
      case "M":
        return number.scaleByPowerOfTen(6);
      case "G":
        return number.scaleByPowerOfTen(9);
      case "T":
        return number.scaleByPowerOfTen(12);
      case "P":
        return number.scaleByPowerOfTen(15);
      case "E":
        return number.scaleByPowerOfTen(18);
      default:
        return number.scaleByPowerOfTen(exponent(text, suffix));
    }
  }

  /** The decimal exponent of an {@code e<int>} / {@code E<int>} suffix, clamped far outside any long. */
  private static int exponent(String text, String suffix) {
    char first = suffix.charAt(0);
    if (first != 'e' && first != 'E') throw invalid(text, "unable to parse quantity's suffix");
    int i = 1;
    boolean negative = false;
    if (i < suffix.length() && (suffix.charAt(i) == '+' || suffix.charAt(i) == '-')) {
      negative = suffix.charAt(i) == '-';
      i++;
    }
    if (i == suffix.length()) throw invalid(text, "unable to parse quantity's suffix");
    long value = 0;
    for (; i < suffix.length(); i++) {
      char c = suffix.charAt(i);
      if (!isDigit(c)) throw invalid(text, "unable to parse quantity's suffix");
      value = Math.min(EXPONENT_LIMIT, value * 10 + (c - '0'));
    }
    return (int) (negative ? -value : value);
  }

  private long ceilToLong(BigDecimal value) {
    int sign = value.signum();
    if (sign == 0) return 0;
    if (value.compareTo(LONG_MAX) > 0 || value.compareTo(LONG_MIN) < 0) {
      throw new QuantityFormatException("quantity " + amount + " is too large");
    }
    // Checked before rounding: setScale on a tiny value with a huge scale would build a huge divisor.
    if (value.abs().compareTo(BigDecimal.ONE) < 0) return sign > 0 ? 1 : 0;
    return value.setScale(0, RoundingMode.CEILING).longValueExact();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static QuantityFormatException invalid(String text, String why) {
    return new QuantityFormatException("invalid quantity \"" + text + "\": " + why);
  }

  @Override
  public String toString() {
    return amount.toString();
  }
}
