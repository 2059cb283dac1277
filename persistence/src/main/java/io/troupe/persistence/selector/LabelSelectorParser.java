package io.troupe.persistence.selector;

import io.troupe.persistence.selector.LabelSelector.Operator;
import io.troupe.persistence.selector.LabelSelector.Requirement;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for the label selector string syntax, following the grammar and the
 * error wording of Kubernetes' labels.Parse so that clients see familiar messages:
 *
 * <pre>
 *   selector    := "" | requirement ("," requirement)*
 *   requirement := "!" key | key [ ("=" | "==" | "!=") value | ("in" | "notin") "(" values ")" ]
 *   values      := [value] ("," [value])*         an omitted value is the empty string
 * </pre>
 *
 * Whitespace between tokens is ignored. {@code in} and {@code notin} are keywords only where an
 * operator is expected, so {@code in} remains a usable label key or value.
 */
final class LabelSelectorParser {

  private enum Kind { IDENTIFIER, BANG, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, OPEN_PAREN, CLOSED_PAREN,
    COMMA, GREATER_THAN, LESS_THAN, END }

  private record Token(Kind kind, String text) {
    /** How the token is quoted in an error message. */
    String found() {
      return kind == Kind.END ? "end of string" : "'" + text + "'";
    }
  }

  private static final String SPECIAL = "=!(),<>";

  private final String input;
  private int position;
  private Token lookahead;

  LabelSelectorParser(String input) {
    this.input = input;
  }

  List<Requirement> parse() {
    List<Requirement> requirements = new ArrayList<>();
    while (true) {
      Token token = peek();
      if (token.kind() == Kind.END && requirements.isEmpty()) {
        return requirements;
      }
      if (token.kind() != Kind.IDENTIFIER && token.kind() != Kind.BANG) {
        throw found(token, "!, identifier, or 'end of string'");
      }
      try {
        requirements.add(requirement());
      } catch (SelectorException e) {
        throw new SelectorException("unable to parse requirement: " + e.getMessage());
      }
      Token after = next();
      if (after.kind() == Kind.END) {
        return requirements;
      }
      if (after.kind() != Kind.COMMA) {
        throw found(after, "',' or 'end of string'");
      }
      Token following = peek();
      if (following.kind() != Kind.IDENTIFIER && following.kind() != Kind.BANG) {
        throw found(following, "identifier after ','");
      }
    }
  }

  private Requirement requirement() {
    Token token = next();
    boolean negated = token.kind() == Kind.BANG;
    if (negated) {
      token = next();
    }
    if (token.kind() != Kind.IDENTIFIER) {
      throw found(token, "identifier");
    }
    String key = token.text();
    List<String> keyErrors = NameSyntax.isQualifiedName(key);
    if (!keyErrors.isEmpty()) {
      throw new SelectorException("invalid label key \"" + key + "\": " + String.join("; ", keyErrors));
    }
    Kind following = peek().kind();
    // "!key" takes no operator; anything after it is reported by the caller as a misplaced token.
    if (negated) {
      return new Requirement(key, Operator.DOES_NOT_EXIST, List.of());
    }
    if (following == Kind.END || following == Kind.COMMA) {
      return new Requirement(key, Operator.EXISTS, List.of());
    }
    Operator operator = operator();
    if (operator == Operator.IN || operator == Operator.NOT_IN) {
      return new Requirement(key, operator, setValues());
    }
    return new Requirement(key, operator, List.of(exactValue()));
  }

  private Operator operator() {
    Token token = next();
    switch (token.kind()) {
      case EQUALS:
      case DOUBLE_EQUALS:
        return Operator.EQUALS;
      case NOT_EQUALS:
        return Operator.NOT_EQUALS;
      case IDENTIFIER:
        if (token.text().equals("in")) {
          return Operator.IN;
        }
        if (token.text().equals("notin")) {
          return Operator.NOT_IN;
        }
        throw found(token, "in, notin, =, ==, !=");
      default:
        throw found(token, "in, notin, =, ==, !=");
    }
  }

  /** After {@code =}, {@code ==} or {@code !=}: an identifier, or nothing for the empty value. */
  private String exactValue() {
    Kind kind = peek().kind();
    if (kind == Kind.END || kind == Kind.COMMA) {
      return "";
    }
    Token token = next();
    if (token.kind() != Kind.IDENTIFIER) {
      throw found(token, "identifier");
    }
    return token.text();
  }

  /** {@code (a, b)}; as in Kubernetes an omitted item, as in {@code ()} or {@code (a,)}, is "". */
  private List<String> setValues() {
    Token open = next();
    if (open.kind() != Kind.OPEN_PAREN) {
      throw found(open, "'('");
    }
    List<String> values = new ArrayList<>();
    while (true) {
      Token item = peek();
      if (item.kind() == Kind.IDENTIFIER) {
        next();
        values.add(item.text());
      } else if (item.kind() == Kind.COMMA || item.kind() == Kind.CLOSED_PAREN) {
        values.add("");
      } else {
        throw found(item, "',', ')' or identifier");
      }
      Token separator = next();
      if (separator.kind() == Kind.CLOSED_PAREN) {
        return values;
      }
      if (separator.kind() != Kind.COMMA) {
        throw found(separator, "',' or ')'");
      }
    }
  }

  private static SelectorException found(Token token, String expected) {
    return new SelectorException("found " + token.found() + ", expected: " + expected);
  }

  private Token peek() {
    if (lookahead == null) {
      lookahead = scan();
    }
    return lookahead;
  }

  private Token next() {
    Token token = peek();
    lookahead = null;
    return token;
  }

  private Token scan() {
    while (position < input.length() && Character.isWhitespace(input.charAt(position))) {
      position++;
    }
    if (position >= input.length()) {
      return new Token(Kind.END, "");
    }
    char c = input.charAt(position);
    boolean doubled = position + 1 < input.length() && input.charAt(position + 1) == '=';
    switch (c) {
      case '=':
        position += doubled ? 2 : 1;
        return doubled ? new Token(Kind.DOUBLE_EQUALS, "==") : new Token(Kind.EQUALS, "=");
      case '!':
        position += doubled ? 2 : 1;
        return doubled ? new Token(Kind.NOT_EQUALS, "!=") : new Token(Kind.BANG, "!");
      case '(':
        position++;
        return new Token(Kind.OPEN_PAREN, "(");
      case ')':
        position++;
        return new Token(Kind.CLOSED_PAREN, ")");
      case ',':
        position++;
        return new Token(Kind.COMMA, ",");
      case '>':
        position++;
        return new Token(Kind.GREATER_THAN, ">");
      case '<':
        position++;
        return new Token(Kind.LESS_THAN, "<");
      default:
        int start = position;
        while (position < input.length() && !Character.isWhitespace(input.charAt(position))
            && SPECIAL.indexOf(input.charAt(position)) < 0) {
          position++;
        }
        return new Token(Kind.IDENTIFIER, input.substring(start, position));
    }
  }
}
