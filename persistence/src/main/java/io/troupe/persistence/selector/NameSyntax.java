package io.troupe.persistence.selector;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The syntax rules Kubernetes applies to names, label keys and values, port names and config keys
 * (k8s.io/apimachinery/pkg/util/validation). Each {@code is...} method returns the Kubernetes error
 * messages for the value, empty when it is valid, so callers can build field errors or selector errors
 * with the same words kubectl users already know.
 *
 * <p>The checks are written by hand instead of with the regular expressions below: a backtracking
 * regex over a hostile multi-megabyte name is quadratic, a character scan is linear. The expressions
 * remain as constants because the messages quote them.
 */
public final class NameSyntax {

  public static final int DNS1123_LABEL_MAX_LENGTH = 63;
  public static final int DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
  public static final int DNS1035_LABEL_MAX_LENGTH = 63;
  public static final int QUALIFIED_NAME_MAX_LENGTH = 63;
  public static final int LABEL_VALUE_MAX_LENGTH = 63;
  public static final int PORT_NAME_MAX_LENGTH = 15;

  public static final String DNS1123_LABEL_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  public static final String DNS1123_SUBDOMAIN_FORMAT =
      DNS1123_LABEL_FORMAT + "(\\." + DNS1123_LABEL_FORMAT + ")*";
  public static final String DNS1035_LABEL_FORMAT = "[a-z]([-a-z0-9]*[a-z0-9])?";
  public static final String QUALIFIED_NAME_FORMAT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  public static final String LABEL_VALUE_FORMAT = "(" + QUALIFIED_NAME_FORMAT + ")?";
  public static final String CONFIG_MAP_KEY_FORMAT = "[-._a-zA-Z0-9]+";

  static final String DNS1123_LABEL_MESSAGE = "a lowercase RFC 1123 label must consist of lower case "
      + "alphanumeric characters or '-', and must start and end with an alphanumeric character";
  static final String DNS1123_SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower "
      + "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  static final String DNS1035_LABEL_MESSAGE = "a DNS-1035 label must consist of lower case alphanumeric "
      + "characters or '-', start with an alphabetic character, and end with an alphanumeric character";
  static final String QUALIFIED_NAME_MESSAGE = "must consist of alphanumeric characters, '-', '_' or '.', "
      + "and must start and end with an alphanumeric character";
  static final String LABEL_VALUE_MESSAGE = "a valid label must be an empty string or consist of "
      + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  static final String CONFIG_MAP_KEY_MESSAGE =
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

  private NameSyntax() {
  }

  /** IsDNS1123Label: names of namespaces, containers, service ports. */
  public static List<String> isDns1123Label(String value) {
    List<String> errors = new ArrayList<>();
    if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) {
      errors.add(maxLenError(DNS1123_LABEL_MAX_LENGTH));
    }
    if (!isLowerAlphanumericLabel(value, 0, value.length())) {
      errors.add(regexError(DNS1123_LABEL_MESSAGE, DNS1123_LABEL_FORMAT, "my-name", "123-abc"));
    }
    return errors;
  }

  /** IsDNS1123Subdomain: names of most objects, label key prefixes. */
  public static List<String> isDns1123Subdomain(String value) {
    List<String> errors = new ArrayList<>();
    if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
      errors.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if (!isLowerAlphanumericSubdomain(value)) {
      errors.add(regexError(DNS1123_SUBDOMAIN_MESSAGE, DNS1123_SUBDOMAIN_FORMAT, "example.com"));
    }
    return errors;
  }

  /** IsDNS1035Label: Service names, which become DNS names and environment variable prefixes. */
  public static List<String> isDns1035Label(String value) {
    List<String> errors = new ArrayList<>();
    if (byteLength(value) > DNS1035_LABEL_MAX_LENGTH) {
      errors.add(maxLenError(DNS1035_LABEL_MAX_LENGTH));
    }
    boolean valid = isLowerAlphanumericLabel(value, 0, value.length())
        && value.charAt(0) >= 'a' && value.charAt(0) <= 'z';
    if (!valid) {
      errors.add(regexError(DNS1035_LABEL_MESSAGE, DNS1035_LABEL_FORMAT, "my-name", "abc-123"));
    }
    return errors;
  }

  /** IsQualifiedName: label keys, annotation keys and finalizers, {@code [prefix/]name}. */
  public static List<String> isQualifiedName(String value) {
    List<String> errors = new ArrayList<>();
    String[] parts = value.split("/", -1);
    String name;
    if (parts.length == 1) {
      name = parts[0];
    } else if (parts.length == 2) {
      String prefix = parts[0];
      name = parts[1];
      if (prefix.isEmpty()) {
        errors.add("prefix part " + emptyError());
      } else {
        for (String message : isDns1123Subdomain(prefix)) {
          errors.add("prefix part " + message);
        }
      }
    } else {
      errors.add("a qualified name "
          + regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, "MyName", "my.name", "123-abc")
          + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errors;
    }
    if (name.isEmpty()) {
      errors.add("name part " + emptyError());
    } else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) {
      errors.add("name part " + maxLenError(QUALIFIED_NAME_MAX_LENGTH));
    }
    if (!isQualifiedNamePart(name)) {
      errors.add("name part "
          + regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FORMAT, "MyName", "my.name", "123-abc"));
    }
    return errors;
  }

  /** IsValidLabelValue: empty, or a qualified name part of at most 63 characters. */
  public static List<String> isValidLabelValue(String value) {
    List<String> errors = new ArrayList<>();
    if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) {
      errors.add(maxLenError(LABEL_VALUE_MAX_LENGTH));
    }
    if (!value.isEmpty() && !isQualifiedNamePart(value)) {
      errors.add(regexError(LABEL_VALUE_MESSAGE, LABEL_VALUE_FORMAT, "MyValue", "my_value", "12345"));
    }
    return errors;
  }

  /** IsValidPortName: an IANA_SVC_NAME, at most 15 characters with at least one letter. */
  public static List<String> isValidPortName(String value) {
    List<String> errors = new ArrayList<>();
    if (byteLength(value) > PORT_NAME_MAX_LENGTH) {
      errors.add(maxLenError(PORT_NAME_MAX_LENGTH));
    }
    boolean charset = !value.isEmpty();
    boolean letter = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      charset &= c == '-' || isLowerAlphanumeric(c);
      letter |= c >= 'a' && c <= 'z';
    }
    if (!charset) {
      errors.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if (!letter) {
      errors.add("must contain at least one letter (a-z)");
    }
    if (value.contains("--")) {
      errors.add("must not contain consecutive hyphens");
    }
    if (!value.isEmpty() && (value.charAt(0) == '-' || value.charAt(value.length() - 1) == '-')) {
      errors.add("must not begin or end with a hyphen");
    }
    return errors;
  }

  /** IsValidPortNum: 1 to 65535. */
  public static List<String> isValidPortNumber(long port) {
    return port >= 1 && port <= 65535 ? List.of() : List.of(inclusiveRangeError(1, 65535));
  }

  /** IsConfigMapKey: keys of ConfigMap and Secret data, which become file names in volumes. */
  public static List<String> isConfigMapKey(String value) {
    List<String> errors = new ArrayList<>();
    if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
      errors.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    boolean valid = !value.isEmpty();
    for (int i = 0; i < value.length() && valid; i++) {
      char c = value.charAt(i);
      valid = isAlphanumeric(c) || c == '-' || c == '.' || c == '_';
    }
    if (!valid) {
      errors.add(regexError(CONFIG_MAP_KEY_MESSAGE, CONFIG_MAP_KEY_FORMAT, "key.name", "KEY_NAME",
          "key-name"));
    }
    // Keys become file names when the ConfigMap is mounted; these would escape the volume directory.
    if (value.equals(".")) {
      errors.add("must not be '.'");
    } else if (value.equals("..")) {
      errors.add("must not be '..'");
    } else if (value.startsWith("..")) {
      errors.add("must not start with '..'");
    }
    return errors;
  }

  /**
   * RegexError, byte for byte, including the double space Kubernetes prints between examples
   * ({@code (e.g. 'my-name',  or '123-abc', ...)}), so messages compare equal to a real API server's.
   */
  public static String regexError(String message, String format, String... examples) {
    if (examples.length == 0) {
      return message + " (regex used for validation is '" + format + "')";
    }
    StringBuilder out = new StringBuilder(message).append(" (e.g. ");
    for (int i = 0; i < examples.length; i++) {
      if (i > 0) {
        out.append(" or ");
      }
      out.append('\'').append(examples[i]).append("', ");
    }
    return out.append("regex used for validation is '").append(format).append("')").toString();
  }

  public static String maxLenError(int length) {
    return "must be no more than " + length + " characters";
  }

  public static String emptyError() {
    return "must be non-empty";
  }

  public static String inclusiveRangeError(long low, long high) {
    return "must be between " + low + " and " + high + ", inclusive";
  }

  /** Kubernetes measures lengths of Go strings, which are UTF-8 bytes. */
  static int byteLength(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) >= 0x80) {
        return value.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return value.length();
  }

  private static boolean isLowerAlphanumericSubdomain(String value) {
    int start = 0;
    while (true) {
      int dot = value.indexOf('.', start);
      int end = dot < 0 ? value.length() : dot;
      if (!isLowerAlphanumericLabel(value, start, end)) {
        return false;
      }
      if (dot < 0) {
        return true;
      }
      start = dot + 1;
    }
  }

  /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?} over value[start, end). */
  private static boolean isLowerAlphanumericLabel(String value, int start, int end) {
    if (end <= start || !isLowerAlphanumeric(value.charAt(start))
        || !isLowerAlphanumeric(value.charAt(end - 1))) {
      return false;
    }
    for (int i = start + 1; i < end - 1; i++) {
      char c = value.charAt(i);
      if (c != '-' && !isLowerAlphanumeric(c)) {
        return false;
      }
    }
    return true;
  }

  /** {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]}. */
  private static boolean isQualifiedNamePart(String value) {
    int length = value.length();
    if (length == 0 || !isAlphanumeric(value.charAt(0)) || !isAlphanumeric(value.charAt(length - 1))) {
      return false;
    }
    for (int i = 1; i < length - 1; i++) {
      char c = value.charAt(i);
      if (!isAlphanumeric(c) && c != '-' && c != '_' && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLowerAlphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static boolean isAlphanumeric(char c) {
    return isLowerAlphanumeric(c) || (c >= 'A' && c <= 'Z');
  }
}
