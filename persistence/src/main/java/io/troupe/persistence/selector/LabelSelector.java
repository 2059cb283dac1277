package io.troupe.persistence.selector;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A Kubernetes label selector: a conjunction of requirements over an object's labels.
 *
 * <p>Two selectors have no requirements: {@link #everything()}, the empty selector {@code {}}, which
 * matches every object, and {@link #nothing()}, what a missing (null) selector means, which matches
 * none. Requirements are kept sorted by key, as Kubernetes does, so that {@link #toString()} is a
 * canonical form usable as a cache key and as the scale subresource's {@code status.selector}.
 *
 * @param requirements the requirements, all of which must hold; sorted by key (stable)
 * @param selectsNothing true only for {@link #nothing()}
 */
public record LabelSelector(List<Requirement> requirements, boolean selectsNothing) {

  private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
  private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

  public LabelSelector {
    Objects.requireNonNull(requirements, "requirements");
    if (selectsNothing && !requirements.isEmpty()) {
      throw new IllegalArgumentException("a selector that selects nothing has no requirements");
    }
    List<Requirement> sorted = new ArrayList<>(requirements);
    sorted.sort(Comparator.comparing(Requirement::key));
    requirements = List.copyOf(sorted);
  }

  /** The empty selector {@code {}} (or the empty string): matches every object. */
  public static LabelSelector everything() {
    return EVERYTHING;
  }

  /** A null selector: matches no object. */
  public static LabelSelector nothing() {
    return NOTHING;
  }

  public static LabelSelector of(List<Requirement> requirements) {
    return requirements.isEmpty() ? EVERYTHING : new LabelSelector(requirements, false);
  }

  /**
   * A selector requiring each label of the map (SelectorFromSet): a Service's {@code spec.selector},
   * a pod's {@code nodeSelector}. An empty or null map selects everything.
   *
   * @throws SelectorException if a key or value is not a valid label key or value
   */
  public static LabelSelector fromLabels(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return EVERYTHING;
    }
    List<Requirement> requirements = new ArrayList<>();
    labels.forEach((key, value) ->
        requirements.add(new Requirement(key, Operator.EQUALS, List.of(value))));
    return of(requirements);
  }

  /**
   * Parses the string syntax of {@code kubectl -l} and {@code ?labelSelector=}: {@code a=b},
   * {@code a==b}, {@code a!=b}, {@code a in (x, y)}, {@code a notin (x)}, {@code a}, {@code !a},
   * joined by commas. The empty (or blank, or null) string selects everything.
   *
   * @throws SelectorException with a message naming what was found and what was expected
   */
  public static LabelSelector parse(String selector) {
    if (selector == null) {
      return EVERYTHING;
    }
    return of(new LabelSelectorParser(selector).parse());
  }

  /**
   * Converts the API object form (LabelSelectorAsSelector): {@code {matchLabels: {...},
   * matchExpressions: [{key, operator, values}]}}. A null, missing or JSON null node selects nothing;
   * an object with no match labels and no expressions selects everything.
   *
   * @throws SelectorException if the node is not a well-formed selector
   */
  public static LabelSelector fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NOTHING;
    }
    if (!node.isObject()) {
      throw new SelectorException("a label selector must be an object, found " + node.getNodeType());
    }
    List<Requirement> requirements = new ArrayList<>();
    JsonNode matchLabels = node.path("matchLabels");
    if (!matchLabels.isMissingNode() && !matchLabels.isNull()) {
      if (!matchLabels.isObject()) {
        throw new SelectorException("matchLabels must be an object of label keys to values");
      }
      for (Map.Entry<String, JsonNode> label : matchLabels.properties()) {
        requirements.add(new Requirement(label.getKey(), Operator.EQUALS,
            List.of(text(label.getValue(), "matchLabels." + label.getKey()))));
      }
    }
    JsonNode expressions = node.path("matchExpressions");
    if (!expressions.isMissingNode() && !expressions.isNull()) {
      if (!expressions.isArray()) {
        throw new SelectorException("matchExpressions must be an array");
      }
      for (int i = 0; i < expressions.size(); i++) {
        requirements.add(expression(expressions.get(i), "matchExpressions[" + i + "]"));
      }
    }
    return of(requirements);
  }

  private static Requirement expression(JsonNode expression, String path) {
    if (!expression.isObject()) {
      throw new SelectorException(path + " must be an object");
    }
    String key = text(expression.path("key"), path + ".key");
    Operator operator = Operator.fromApiName(text(expression.path("operator"), path + ".operator"));
    List<String> values = new ArrayList<>();
    JsonNode valuesNode = expression.path("values");
    if (!valuesNode.isMissingNode() && !valuesNode.isNull()) {
      if (!valuesNode.isArray()) {
        throw new SelectorException(path + ".values must be an array of strings");
      }
      for (int i = 0; i < valuesNode.size(); i++) {
        values.add(text(valuesNode.get(i), path + ".values[" + i + "]"));
      }
    }
    return new Requirement(key, operator, values);
  }

  private static String text(JsonNode node, String path) {
    if (node.isMissingNode() || node.isNull()) {
      throw new SelectorException(path + " is required");
    }
    if (!node.isTextual()) {
      throw new SelectorException(path + " must be a string, found " + node.getNodeType());
    }
    return node.textValue();
  }

  /** Whether every requirement holds for these labels; a null map counts as no labels. */
  public boolean matches(Map<String, String> labels) {
    if (selectsNothing) {
      return false;
    }
    Map<String, String> present = labels == null ? Map.of() : labels;
    for (Requirement requirement : requirements) {
      if (!requirement.matches(present)) {
        return false;
      }
    }
    return true;
  }

  /** True for the empty selector, which matches every object. */
  public boolean isEverything() {
    return !selectsNothing && requirements.isEmpty();
  }

  /**
   * The canonical string form: requirements sorted by key, joined by commas, each as Kubernetes
   * prints it ({@code a=b}, {@code a!=b}, {@code a in (x,y)}, {@code a}, {@code !a}). Parsing it
   * gives back an equal selector. Like Kubernetes, both {@link #everything()} and
   * {@link #nothing()} print as the empty string.
   */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Requirement requirement : requirements) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(requirement);
    }
    return out.toString();
  }

  /** The selection operators, with their string-syntax spelling and their API spelling. */
  public enum Operator {
    IN("in", "In"),
    NOT_IN("notin", "NotIn"),
    EXISTS("", "Exists"),
    DOES_NOT_EXIST("!", "DoesNotExist"),
    EQUALS("=", null),
    NOT_EQUALS("!=", null);

    private final String symbol;
    private final String apiName;

    Operator(String symbol, String apiName) {
      this.symbol = symbol;
      this.apiName = apiName;
    }

    /** How the operator is written in the string syntax. */
    public String symbol() {
      return symbol;
    }

    /** The matchExpressions spelling, or null for the equality operators, which have none. */
    public String apiName() {
      return apiName;
    }

    /** The operator of a matchExpressions entry: In, NotIn, Exists or DoesNotExist. */
    public static Operator fromApiName(String name) {
      for (Operator operator : values()) {
        if (name.equals(operator.apiName)) {
          return operator;
        }
      }
      throw new SelectorException("\"" + name + "\" is not a valid label selector operator");
    }
  }

  /**
   * One requirement of a selector. The constructor enforces what Kubernetes' NewRequirement does:
   * the key is a qualified name, values are valid label values, set operators have at least one
   * value, equality operators exactly one, existence operators none. Set values are de-duplicated
   * and sorted, which makes equal sets compare and print equal.
   */
  public record Requirement(String key, Operator operator, List<String> values) {

    public Requirement {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(operator, "operator");
      values = values == null ? List.of() : values;
      List<String> keyErrors = NameSyntax.isQualifiedName(key);
      if (!keyErrors.isEmpty()) {
        throw new SelectorException("invalid label key \"" + key + "\": " + String.join("; ", keyErrors));
      }
      switch (operator) {
        case IN, NOT_IN -> {
          if (values.isEmpty()) {
            throw new SelectorException("for 'in', 'notin' operators, values set can't be empty (key \""
                + key + "\")");
          }
          values = List.copyOf(new TreeSet<>(values));
        }
        case EQUALS, NOT_EQUALS -> {
          if (values.size() != 1) {
            throw new SelectorException("exact-match compatibility requires one single value (key \""
                + key + "\")");
          }
          values = List.copyOf(values);
        }
        default -> {
          if (!values.isEmpty()) {
            throw new SelectorException(
                "values set must be empty for exists and does not exist (key \"" + key + "\")");
          }
          values = List.of();
        }
      }
      for (String value : values) {
        List<String> valueErrors = NameSyntax.isValidLabelValue(value);
        if (!valueErrors.isEmpty()) {
          throw new SelectorException("invalid label value \"" + value + "\" for key \"" + key + "\": "
              + String.join("; ", valueErrors));
        }
      }
    }

    /**
     * Whether the labels satisfy this requirement. As in Kubernetes, {@code !=} and {@code notin}
     * hold when the key is absent: "not prod" includes "no environment at all".
     */
    public boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      switch (operator) {
        case IN:
        case EQUALS:
          return value != null && values.contains(value);
        case NOT_IN:
        case NOT_EQUALS:
          return value == null || !values.contains(value);
        case EXISTS:
          return value != null;
        case DOES_NOT_EXIST:
          return value == null;
        default:
          throw new IllegalStateException("unknown operator " + operator);
      }
    }

    @Override
    public String toString() {
      switch (operator) {
        case EXISTS:
          return key;
        case DOES_NOT_EXIST:
          return "!" + key;
        case IN:
        case NOT_IN:
          return key + " " + operator.symbol() + " (" + String.join(",", values) + ")";
        default:
          return key + operator.symbol() + values.get(0);
      }
    }
  }
}
