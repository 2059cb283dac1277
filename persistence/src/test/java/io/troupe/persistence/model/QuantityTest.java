package io.troupe.persistence.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantityTest {

  @ParameterizedTest(name = "cpu {0} = {1}m")
  @CsvSource(delimiter = '|', textBlock = """
      100m    | 100
      0.5     | 500
      2       | 2000
      1.5     | 1500
      +1      | 1000
      0       | 0
      0.1m    | 1
      250000n | 1
      1500u   | 2
      1k      | 1000000
      1e-3    | 1
      2E0     | 2000
      .5      | 500
      5.      | 5000
      -100m   | -100
      """)
  void cpuInMillicores(String text, long millicores) {
    assertEquals(millicores, Quantity.millicores(text));
  }

  @ParameterizedTest(name = "memory {0} = {1} bytes")
  @CsvSource(delimiter = '|', textBlock = """
      128Mi   | 134217728
      1Gi     | 1073741824
      1.5Gi   | 1610612736
      500M    | 500000000
      1e3     | 1000
      1E3     | 1000
      1e+3    | 1000
      12e-1   | 2
      1024    | 1024
      1Ki     | 1024
      2Ti     | 2199023255552
      1Pi     | 1125899906842624
      1Ei     | 1152921504606846976
      1k      | 1000
      1G      | 1000000000
      1T      | 1000000000000
      1P      | 1000000000000000
      1E      | 1000000000000000000
      100m    | 1
      0.5     | 1
      0       | 0
      """)
  void memoryInBytes(String text, long bytes) {
    assertEquals(bytes, Quantity.bytes(text));
  }

  @ParameterizedTest(name = "\"{0}\" is refused: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      ''      | quantities must match the regular expression
      abc     | quantities must match the regular expression
      .       | quantities must match the regular expression
      -       | quantities must match the regular expression
      ' 1'    | quantities must match the regular expression
      1 Gi    | unable to parse quantity's suffix
      1K      | unable to parse quantity's suffix
      1gi     | unable to parse quantity's suffix
      1e      | unable to parse quantity's suffix
      1e+     | unable to parse quantity's suffix
      1.5.5   | unable to parse quantity's suffix
      1Mib    | unable to parse quantity's suffix
      1e3Mi   | unable to parse quantity's suffix
      """)
  void malformedQuantitiesAreRefused(String text, String why) {
    QuantityFormatException e = assertThrows(QuantityFormatException.class, () -> Quantity.parse(text));
    assertEquals("invalid quantity \"" + text + "\": " + (why.startsWith("quantities")
        ? "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        : why), e.getMessage());
  }

  @ParameterizedTest(name = "{0} does not fit in a long")
  @CsvSource({"10E", "1e19", "9223372036854775808", "1e999999999999"})
  void valuesBeyondALongAreRefused(String text) {
    QuantityFormatException e = assertThrows(QuantityFormatException.class, () -> Quantity.bytes(text));
    assertTrue(e.getMessage().endsWith("is too large"), e.getMessage());
  }

  @Test
  void cpuThatFitsInCoresMayNotFitInMillicores() {
    assertEquals(1_000_000_000_000_000_000L, Quantity.bytes("1E"));
    assertThrows(QuantityFormatException.class, () -> Quantity.millicores("1E"));
  }

  @Test
  void tinyValuesRoundUpWithoutBuildingHugeNumbers() {
    assertEquals(1, Quantity.bytes("1e-999999999"));
    assertEquals(0, Quantity.bytes("0e999999999"));
  }

  @Test
  void jsonNumbersAreReadAsDecimals() {
    JsonNodeFactory json = JsonNodeFactory.instance;
    assertEquals(2000, Quantity.parse(json.numberNode(2)).milliValue());
    assertEquals(500, Quantity.parse(json.numberNode(0.5)).milliValue());
    assertEquals(1000, Quantity.parse(json.numberNode(1e3)).value());
    assertEquals(1073741824, Quantity.parse(json.textNode("1Gi")).value());
    assertThrows(QuantityFormatException.class, () -> Quantity.parse(json.booleanNode(true)));
    assertThrows(QuantityFormatException.class, () -> Quantity.parse(json.numberNode(Double.NaN)));
  }
}
