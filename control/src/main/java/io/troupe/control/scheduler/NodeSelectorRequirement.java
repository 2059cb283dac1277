package io.troupe.control.scheduler;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code matchExpressions} (or {@code matchFields}) entry of a node selector term. Unlike a label selector it
 * also has {@code Gt} and {@code Lt}, which compare the label as a decimal integer.
 *
 * <p>The constructor enforces what Kubernetes' validation does (values for In/NotIn, none for Exists/DoesNotExist,
 * one integer for Gt/Lt), so a malformed pod fails when it is read, not silently at every node.
 */
public record NodeSelectorRequirement(String key, Operator operator, List<String> values) {

  /** The node selector operators, with their API spelling. */
  public enum Operator {
    IN("In"),
    NOT_IN("NotIn"),
    EXISTS("Exists"),
    DOES_NOT_EXIST("DoesNotExist"),
    GT("Gt"),
    LT("Lt");

    private final String apiName;

    Operator(String apiName) {
      this.apiName = apiName;
    }

    public String apiName() {
      return apiName;
    }

    public static Operator fromApiName(String name) {
      for (Operator operator : values()) {
        if (operator.apiName.equals(name)) return operator;
      }
      throw new IllegalArgumentException("\"" + name + "\" is not a valid node selector operator");
    }
  }

  public NodeSelectorRequirement {
    Objects.requireNonNull(operator, "operator");
    if (key == null || key.isEmpty()) throw new IllegalArgumentException("key is required");
    values = values == null ? List.of() : List.copyOf(values);
    switch (operator) {
      case IN, NOT_IN -> {
        if (values.isEmpty()) {
          throw new IllegalArgumentException("key " + key + ": values must be non-empty for " + operator.apiName);
        }
      }
      case EXISTS, DOES_NOT_EXIST -> {
        if (!values.isEmpty()) {
          throw new IllegalArgumentException("key " + key + ": values must be empty for " + operator.apiName);
        }
      }
      default -> {
        if (values.size() != 1 || parseInteger(values.get(0)) == null) {
          throw new IllegalArgumentException(
              "key " + key + ": " + operator.apiName + " needs a single integer value, found " + values);
        }
      }
    }
  }

  /** Whether the labels satisfy the requirement; NotIn and DoesNotExist hold when the label is absent. */
  public boolean matches(Map<String, String> labels) {
    return matchesValue(labels.get(key));
  }

  /** Whether a label (or field) value, null when absent, satisfies the requirement. */
  public boolean matchesValue(String value) {
    switch (operator) {
      case IN:
        return value != null && values.contains(value);
      case NOT_IN:
        return value == null || !values.contains(value);
      case EXISTS:
        return value != null;
      case DOES_NOT_EXIST:
        return value == null;
      case GT:
      case LT:
        Long actual = value == null ? null : parseInteger(value);
        if (actual == null) return false;
        long bound = Long.parseLong(values.get(0));
        return operator == Operator.GT ? actual > bound : actual < bound;
      default:
        throw new IllegalStateException("unknown operator " + operator);
    }
  }

  // Node labels are free text, so a label that is not an integer simply does not match Gt/Lt.
  private static Long parseInteger(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
