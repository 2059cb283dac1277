package io.troupe.persistence.selector;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A Kubernetes field selector ({@code ?fieldSelector=}, {@code kubectl --field-selector}): terms
 * {@code field=value}, {@code field==value} or {@code field!=value} joined by commas, all of which must
 * hold. Which fields a resource supports is the API's business: it asks {@link #fields()} (or
 * {@link #requireSupported}) and answers 400 for the rest.
 *
 * <p>Values may contain {@code \,}, {@code \=} and {@code \\} escapes, as in Kubernetes. Unlike
 * Kubernetes, whitespace around field names and values is ignored, so that
 * {@code "status.phase=Running, spec.nodeName=n1"} means what its writer meant.
 *
 * @param terms the terms, in the canonical order (sorted by their printed form, as Kubernetes sorts)
 */
public record FieldSelector(List<Term> terms) {

  private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  public FieldSelector {
    List<Term> sorted = new ArrayList<>(Objects.requireNonNull(terms, "terms"));
    sorted.sort(Comparator.comparing(Term::toString));
    terms = List.copyOf(sorted);
  }

  public static FieldSelector everything() {
    return EVERYTHING;
  }

  /**
   * Parses a field selector; the empty, blank or null string selects everything.
   *
   * @throws SelectorException naming the term that is not understood
   */
  public static FieldSelector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      return EVERYTHING;
    }
    List<Term> terms = new ArrayList<>();
    for (String part : splitTerms(selector)) {
      if (part.isBlank()) {
        continue; // "a=b,,c=d" and a trailing comma are accepted, as in Kubernetes
      }
      terms.add(term(selector, part));
    }
    return new FieldSelector(terms);
  }

  /**
   * Whether every term holds. {@code fieldValue} gives an object's value for a field name; an empty
   * result counts as the empty string, as Kubernetes' fields.Set does, so {@code spec.nodeName=}
   * selects unscheduled pods whether the field is absent or "".
   */
  public boolean matches(Function<String, Optional<String>> fieldValue) {
    for (Term term : terms) {
      if (!term.matches(fieldValue.apply(term.field()).orElse(""))) {
        return false;
      }
    }
    return true;
  }

  /** The field names used, in term order, for the API to check against what the resource supports. */
  public Set<String> fields() {
    Set<String> fields = new LinkedHashSet<>();
    for (Term term : terms) {
      fields.add(term.field());
    }
    return fields;
  }

  public boolean isEverything() {
    return terms.isEmpty();
  }

  /**
   * The value a field must equal (RequiresExactMatch), for serving {@code spec.nodeName=n1} from an
   * index instead of a scan; empty when no {@code =} term names the field.
   */
  public Optional<String> exactMatch(String field) {
    for (Term term : terms) {
      if (term.field().equals(field) && term.operator() == Operator.EQUALS) {
        return Optional.of(term.value());
      }
    }
    return Optional.empty();
  }

  /**
   * Rejects fields the resource does not support, with Kubernetes' message.
   *
   * @throws SelectorException {@code field label not supported: spec.foo}
   */
  public void requireSupported(Collection<String> supported) {
    for (String field : fields()) {
      if (!supported.contains(field)) {
        throw new SelectorException("field label not supported: " + field);
      }
    }
  }

  /** Canonical form: terms sorted, joined by commas, {@code ==} written as {@code =}, values escaped. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Term term : terms) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(term);
    }
    return out.toString();
  }

  public enum Operator {
    EQUALS("="),
    NOT_EQUALS("!=");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /** One term: {@code field=value} or {@code field!=value}. */
  public record Term(String field, Operator operator, String value) {

    public Term {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(operator, "operator");
      Objects.requireNonNull(value, "value");
      if (field.isEmpty()) {
        throw new SelectorException("invalid field selector: field name is empty");
      }
    }

    public boolean matches(String actual) {
      boolean equal = value.equals(actual);
      return operator == Operator.EQUALS ? equal : !equal;
    }

    @Override
    public String toString() {
      return field + operator.symbol() + escape(value);
    }
  }

  /** Splits on commas that are not escaped, keeping escapes for the value parser. */
  private static List<String> splitTerms(String selector) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == ',') {
        parts.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(selector.substring(start));
    return parts;
  }

  /** The first unescaped operator splits the term; {@code !=} and {@code ==} win over {@code =}. */
  private static Term term(String selector, String part) {
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '\\') {
        i++;
        continue;
      }
      String rest = part.substring(i);
      Operator operator;
      int length;
      if (rest.startsWith("!=")) {
        operator = Operator.NOT_EQUALS;
        length = 2;
      } else if (rest.startsWith("==")) {
        operator = Operator.EQUALS;
        length = 2;
      } else if (c == '=') {
        operator = Operator.EQUALS;
        length = 1;
      } else {
        continue;
      }
      String field = part.substring(0, i).strip();
      if (field.isEmpty()) {
        throw new SelectorException(
            "invalid selector: '" + selector + "'; field name is empty in '" + part.strip() + "'");
      }
      return new Term(field, operator, unescape(part.substring(i + length).strip()));
    }
    throw new SelectorException("invalid selector: '" + selector + "'; can't understand '" + part.strip()
        + "'");
  }

  private static String unescape(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        if (i + 1 >= value.length()) {
          throw new SelectorException("invalid field selector: invalid escape sequence: \\");
        }
        char escaped = value.charAt(++i);
        if (escaped != '\\' && escaped != ',' && escaped != '=') {
          throw new SelectorException("invalid field selector: invalid escape sequence: \\" + escaped);
        }
        out.append(escaped);
      } else if (c == '=' || c == ',') {
        throw new SelectorException("invalid field selector: unescaped character in value: " + c);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
  }
}
