package io.troupe.control.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One reason an object is invalid: a Kubernetes StatusCause, as it appears under
 * {@code details.causes} of a 422 Invalid status.
 *
 * <p>{@code message} is what Kubernetes puts in a cause (the field error's body, such as
 * {@code Invalid value: "Web": a lowercase RFC 1123 label must ...}) and {@link #toString()} is the
 * full field error ({@code spec.containers[0].name: Invalid value: ...}) that the status message
 * lists. Bad values are printed the way Go's {@code %q} and {@code %#v} print them, so that messages
 * compare equal to a real API server's.
 *
 * @param field the field path, like {@code spec.containers[0].name}
 * @param reason the cause type: one of the {@code FIELD_VALUE_*} constants
 * @param message the error body
 */
public record Cause(String field, String reason, String message) {

  public static final String FIELD_VALUE_REQUIRED = "FieldValueRequired";
  public static final String FIELD_VALUE_INVALID = "FieldValueInvalid";
  public static final String FIELD_VALUE_DUPLICATE = "FieldValueDuplicate";
  public static final String FIELD_VALUE_TOO_LONG = "FieldValueTooLong";
  public static final String FIELD_VALUE_NOT_SUPPORTED = "FieldValueNotSupported";
  public static final String FIELD_VALUE_FORBIDDEN = "FieldValueForbidden";
  public static final String FIELD_VALUE_NOT_FOUND = "FieldValueNotFound";
  public static final String FIELD_VALUE_TOO_MANY = "FieldValueTooMany";

  public Cause {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /** A required field is missing or empty: {@code Required value[: detail]}. */
  public static Cause required(String field, String detail) {
    return new Cause(field, FIELD_VALUE_REQUIRED, withDetail("Required value", detail));
  }

  /** A value breaks a rule: {@code Invalid value: <value>[: detail]}. */
  public static Cause invalid(String field, Object value, String detail) {
    return new Cause(field, FIELD_VALUE_INVALID, withDetail("Invalid value: " + goValue(value), detail));
  }

  /** A value that must be unique is repeated: {@code Duplicate value: <value>}. */
  public static Cause duplicate(String field, Object value) {
    return new Cause(field, FIELD_VALUE_DUPLICATE, "Duplicate value: " + goValue(value));
  }

  /** A value outside an enumeration: {@code Unsupported value: "x": supported values: "A", "B"}. */
  public static Cause notSupported(String field, Object value, List<String> supported) {
    List<String> quoted = new ArrayList<>();
    for (String choice : supported) {
      quoted.add(goQuote(choice));
    }
    String detail = supported.isEmpty() ? "" : "supported values: " + String.join(", ", quoted);
    return new Cause(field, FIELD_VALUE_NOT_SUPPORTED, withDetail("Unsupported value: " + goValue(value),
        detail));
  }

  /** A field that may not be set or changed here: {@code Forbidden: detail}. */
  public static Cause forbidden(String field, String detail) {
    return new Cause(field, FIELD_VALUE_FORBIDDEN, withDetail("Forbidden", detail));
  }

  /** A reference to something that does not exist: {@code Not found: <value>}. */
  public static Cause notFound(String field, Object value) {
    return new Cause(field, FIELD_VALUE_NOT_FOUND, "Not found: " + goValue(value));
  }

  /** A list or map with too many entries: {@code Too many: <count>: must have at most N items}. */
  public static Cause tooMany(String field, int count, int maxItems) {
    return new Cause(field, FIELD_VALUE_TOO_MANY, "Too many: " + count + ": must have at most " + maxItems + " items");
  }

  /** A value over a size limit: {@code Too long: may not be more than N bytes}. */
  public static Cause tooLong(String field, int maxBytes) {
    String unit = maxBytes == 1 ? "byte" : "bytes";
    return new Cause(field, FIELD_VALUE_TOO_LONG, "Too long: may not be more than " + maxBytes + " " + unit);
  }

  /** The field error as Kubernetes prints it in a status message: {@code field: message}. */
  @Override
  public String toString() {
    return field.isEmpty() ? message : field + ": " + message;
  }

  private static String withDetail(String body, String detail) {
    return detail == null || detail.isEmpty() ? body : body + ": " + detail;
  }

  /**
   * Prints a bad value as Kubernetes' field.Error does: strings Go-quoted, numbers and booleans
   * plain, a Java Map (labels) as Go's {@code map[string]string{"k":"v"}} with sorted keys. JSON
   * objects and arrays, which Go would print as structs, are printed as compact JSON instead.
   */
  static String goValue(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonNode) {
      return goValue((JsonNode) value);
    }
    if (value instanceof String) {
      return goQuote((String) value);
    }
    if (value instanceof Map) {
      Map<String, String> strings = new TreeMap<>();
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        strings.put(String.valueOf(entry.getKey()), String.valueOf(entry.getValue()));
      }
      return goStringMap(strings);
    }
    return String.valueOf(value);
  }

  private static String goValue(JsonNode node) {
    if (node.isNull() || node.isMissingNode()) {
      return "null";
    }
    if (node.isTextual()) {
      return goQuote(node.textValue());
    }
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue().toString();
    }
    if (node.isNumber()) {
      BigDecimal decimal = node.decimalValue().stripTrailingZeros();
      return decimal.scale() <= 0 ? decimal.toBigInteger().toString() : decimal.toPlainString();
    }
    return node.toString();
  }

  private static String goStringMap(Map<String, String> sorted) {
    StringBuilder out = new StringBuilder("map[string]string{");
    boolean first = true;
    for (Map.Entry<String, String> entry : sorted.entrySet()) {
      if (!first) {
        out.append(", ");
      }
      first = false;
      out.append(goQuote(entry.getKey())).append(':').append(goQuote(entry.getValue()));
    }
    return out.append('}').toString();
  }

  /** Go's strconv.Quote: double quotes, backslash escapes, non-printable characters as \x or \\u. */
  public static String goQuote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case 0x07 -> out.append("\\a");
        case 0x0b -> out.append("\\v");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else if (Character.isISOControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
