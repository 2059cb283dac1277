package io.troupe.control.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One table row: a valid manifest of a kind, edits to it, and the exact field errors expected
 * ({@code field: message}, as Kubernetes prints them); no expected errors means the result is valid.
 */
final class ValidationCase {

  static final String SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
      + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
      + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  static final String LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
      + "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
      + "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  static final String DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
      + "start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
      + "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  static final String QUALIFIED_NAME = "must consist of alphanumeric characters, '-', '_' or '.', and must start "
      + "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
      + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  static final String LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric "
      + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  "
      + "or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  static final String CONFIG_KEY = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
      + "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
  static final String PORT_RANGE = "must be between 1 and 65535, inclusive";

  /** What the start of each cause message says about its reason. */
  private static final Map<String, String> REASON_BY_PREFIX = Map.of(
      "Required value", Cause.FIELD_VALUE_REQUIRED,
      "Invalid value", Cause.FIELD_VALUE_INVALID,
      "Duplicate value", Cause.FIELD_VALUE_DUPLICATE,
      "Unsupported value", Cause.FIELD_VALUE_NOT_SUPPORTED,
      "Forbidden", Cause.FIELD_VALUE_FORBIDDEN,
      "Too long", Cause.FIELD_VALUE_TOO_LONG,
      "Too many", Cause.FIELD_VALUE_TOO_MANY,
      "Not found", Cause.FIELD_VALUE_NOT_FOUND);

  private final String description;
  private final String kind;
  private final List<String[]> edits = new ArrayList<>();
  private List<String> expected = List.of();

  private ValidationCase(String description, String kind) {
    this.description = description;
    this.kind = kind;
  }

  static ValidationCase of(String kind, String description) {
    return new ValidationCase(description, kind);
  }

  /** Sets a path to a JSON value. */
  ValidationCase set(String path, String json) {
    edits.add(new String[] {path, json});
    return this;
  }

  ValidationCase remove(String path) {
    edits.add(new String[] {path, null});
    return this;
  }

  ValidationCase expect(String... errors) {
    expected = Arrays.asList(errors);
    return this;
  }

  ObjectNode object() {
    ObjectNode object = Manifests.valid(kind);
    for (String[] edit : edits) {
      Manifests.edit(object, edit[0], edit[1]);
    }
    return object;
  }

  List<String> expected() {
    return expected;
  }

  static void assertCauses(List<String> expected, List<Cause> actual) {
    assertEquals(String.join("\n", expected), String.join("\n", actual.stream().map(Cause::toString).toList()));
    for (Cause cause : actual) {
      String prefix = cause.message().split(":")[0];
      assertEquals(REASON_BY_PREFIX.get(prefix), cause.reason(), cause::toString);
    }
  }

  void check() {
    assertCauses(expected, ObjectValidation.validate(object()));
  }

  @Override
  public String toString() {
    return kind + ": " + description;
  }
}
