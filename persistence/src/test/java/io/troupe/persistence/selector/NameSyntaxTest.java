package io.troupe.persistence.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NameSyntaxTest {

  private static final String A63 = "a".repeat(63);

  @ParameterizedTest(name = "[{index}] {0}(''{1}'') valid={2}")
  @CsvSource(delimiter = '|', textBlock = """
      label      | web                | true
      label      | 123-abc            | true
      label      | a                  | true
      label      | Web                | false
      label      | web-               | false
      label      | -web               | false
      label      | web.example        | false
      label      | ''                 | false
      subdomain  | web.example.com    | true
      subdomain  | 1.2                | true
      subdomain  | web..example       | false
      subdomain  | .web               | false
      subdomain  | web.               | false
      subdomain  | web_1              | false
      dns1035    | web-1              | true
      dns1035    | 1web               | false
      dns1035    | web-               | false
      qualified  | app                | true
      qualified  | App_Name.v-1       | true
      qualified  | example.com/App    | true
      qualified  | _app               | false
      qualified  | example.com/       | false
      qualified  | /app               | false
      qualified  | a/b/c              | false
      qualified  | EXAMPLE.com/app    | false
      value      | ''                 | true
      value      | v1.2_x-Y           | true
      value      | v1.                | false
      value      | has space          | false
      port       | http               | true
      port       | h2-c               | true
      port       | 8080               | false
      port       | http--x            | false
      port       | -http              | false
      port       | HTTP               | false
      port       | abcdefghijklmnop   | false
      configkey  | app.properties     | true
      configkey  | KEY_NAME-1         | true
      configkey  | .hidden            | true
      configkey  | a/b                | false
      configkey  | ..data             | false
      configkey  | .                  | false
      configkey  | ''                 | false
      """)
  void validatesLikeKubernetes(String rule, String value, boolean valid) {
    assertEquals(valid, check(rule, value).isEmpty(), () -> check(rule, value).toString());
  }

  private static List<String> check(String rule, String value) {
    switch (rule) {
      case "label": return NameSyntax.isDns1123Label(value);
      case "subdomain": return NameSyntax.isDns1123Subdomain(value);
      case "dns1035": return NameSyntax.isDns1035Label(value);
      case "qualified": return NameSyntax.isQualifiedName(value);
      case "value": return NameSyntax.isValidLabelValue(value);
      case "port": return NameSyntax.isValidPortName(value);
      case "configkey": return NameSyntax.isConfigMapKey(value);
      default: throw new IllegalArgumentException(rule);
    }
  }

  @Test
  void messagesAreKubernetesWordForWord() {
    assertEquals(List.of("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
        + "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
        + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"), NameSyntax.isDns1123Label("A"));
    assertEquals(List.of("must be no more than 63 characters"), NameSyntax.isDns1123Label(A63 + "a"));
    assertEquals(List.of("must be no more than 253 characters"),
        NameSyntax.isDns1123Subdomain((A63 + ".").repeat(4) + "ab"));
    assertEquals(List.of("name part must be non-empty",
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
            + "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"), NameSyntax.isQualifiedName("example.com/"));
    assertEquals(List.of("name part must be no more than 63 characters"), NameSyntax.isQualifiedName(A63 + "b"));
    assertEquals(List.of("must be between 1 and 65535, inclusive"), NameSyntax.isValidPortNumber(0));
    assertEquals(List.of(), NameSyntax.isValidPortNumber(65535));
    assertEquals(List.of("must be no more than 63 characters"), NameSyntax.isValidLabelValue("é".repeat(32)
        .replace("é", "e") + "e".repeat(32)));
  }

  @Test
  void lengthsAreCountedInUtf8BytesLikeGo() {
    // 32 two-byte characters are 64 bytes: too long, and not in the character set either.
    assertEquals(2, NameSyntax.isValidLabelValue("é".repeat(32)).size());
    assertEquals(1, NameSyntax.isValidLabelValue("é".repeat(31)).size());
  }

  /** The hand-written scanners must agree with the regular expressions that the messages quote. */
  @Test
  void scannersAgreeWithTheQuotedRegularExpressions() {
    Pattern label = Pattern.compile(NameSyntax.DNS1123_LABEL_FORMAT);
    Pattern subdomain = Pattern.compile(NameSyntax.DNS1123_SUBDOMAIN_FORMAT);
    Pattern dns1035 = Pattern.compile(NameSyntax.DNS1035_LABEL_FORMAT);
    Pattern value = Pattern.compile(NameSyntax.LABEL_VALUE_FORMAT);
    Pattern configKey = Pattern.compile(NameSyntax.CONFIG_MAP_KEY_FORMAT);
    Random random = new Random(42);
    String alphabet = "ab9Z-._/ ";
    for (int n = 0; n < 20000; n++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(7);
      for (int i = 0; i < length; i++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String candidate = s.toString();
      assertEquals(label.matcher(candidate).matches(), NameSyntax.isDns1123Label(candidate).isEmpty(), candidate);
      assertEquals(subdomain.matcher(candidate).matches(), NameSyntax.isDns1123Subdomain(candidate).isEmpty(),
          candidate);
      assertEquals(dns1035.matcher(candidate).matches(), NameSyntax.isDns1035Label(candidate).isEmpty(),
          candidate);
      assertEquals(value.matcher(candidate).matches(), NameSyntax.isValidLabelValue(candidate).isEmpty(),
          candidate);
      boolean keyValid = configKey.matcher(candidate).matches() && !candidate.equals(".")
          && !candidate.startsWith("..");
      assertEquals(keyValid, NameSyntax.isConfigMapKey(candidate).isEmpty(), candidate);
    }
  }

  @Test
  void longHostileNamesAreCheckedInLinearTime() {
    List<String> errors = new ArrayList<>(NameSyntax.isDns1123Subdomain("a-".repeat(2_000_000) + "-"));
    assertEquals(2, errors.size());
  }
}
