package io.troupe.persistence.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.troupe.persistence.selector.LabelSelector.Operator;
import io.troupe.persistence.selector.LabelSelector.Requirement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelSelectorTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** "a=1;b=2" to a label map; "-" is no labels. Semicolons because selectors use commas. */
  static Map<String, String> labels(String spec) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (spec == null || spec.equals("-")) {
      return labels;
    }
    for (String pair : spec.split(";")) {
      int eq = pair.indexOf('=');
      labels.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return labels;
  }

  @ParameterizedTest(name = "[{index}] ''{0}'' on {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      app=web                        | app=web                | true
      app=web                        | app=db                 | false
      app=web                        | -                      | false
      app==web                       | app=web                | true
      app==web                       | app=db                 | false
      app!=web                       | app=db                 | true
      app!=web                       | app=web                | false
      app!=web                       | -                      | true
      env in (prod, qa)              | env=qa                 | true
      env in (prod, qa)              | env=prod               | true
      env in (prod, qa)              | env=dev                | false
      env in (prod, qa)              | -                      | false
      tier notin (web)               | tier=db                | true
      tier notin (web)               | tier=web               | false
      tier notin (web)               | -                      | true
      tier notin (web, cache)        | tier=cache             | false
      partition                      | partition=a            | true
      partition                      | partition=             | true
      partition                      | other=a                | false
      !partition                     | other=a                | true
      !partition                     | -                      | true
      !partition                     | partition=a            | false
      app=web,env in (prod)          | app=web;env=prod       | true
      app=web,env in (prod)          | app=web;env=qa         | false
      app=web,env in (prod)          | env=prod               | false
      app=web,!canary,tier!=db       | app=web;tier=fe        | true
      app=web,!canary,tier!=db       | app=web;canary=true    | false
      '  app = web ,  env  in(a,b) ' | app=web;env=b          | true
      app=                           | app=                   | true
      app=                           | app=x                  | false
      app=                           | -                      | false
      app in (,x)                    | app=                   | true
      app in ()                      | app=                   | true
      app in ()                      | app=x                  | false
      example.com/role=db            | example.com/role=db    | true
      example.com/role=db            | role=db                | false
      in=notin                       | in=notin               | true
      x in (in, notin)               | x=notin                | true
      ''                             | app=web                | true
      ''                             | -                      | true
      a=b,a=c                        | a=b                    | false
      a!=b,a!=c                      | a=d                    | true
      """)
  void matchesLikeKubernetes(String selector, String labels, boolean expected) {
    assertEquals(expected, LabelSelector.parse(selector).matches(labels(labels)));
  }

  @ParameterizedTest(name = "[{index}] ''{0}'' prints ''{1}''")
  @CsvSource(delimiter = '|', textBlock = """
      app=web                              | app=web
      app==web                             | app=web
      app != web                           | app!=web
      env in (qa, prod, qa)                | env in (prod,qa)
      env in (prod)                        | env in (prod)
      tier notin ( web , cache )           | tier notin (cache,web)
      partition                            | partition
      ' ! partition '                      | !partition
      zeta=1,alpha=2,mid                   | alpha=2,mid,zeta=1
      b=2,a in (x),a!=y                    | a in (x),a!=y,b=2
      app=                                 | app=
      app in (x,)                          | app in (,x)
      ''                                   | ''
      '   '                                | ''
      !k8s.io/x,example.com/role=db        | example.com/role=db,!k8s.io/x
      """)
  void canonicalStringIsSortedAndParsesBack(String selector, String canonical) {
    LabelSelector parsed = LabelSelector.parse(selector);
    assertEquals(canonical, parsed.toString());
    assertEquals(parsed, LabelSelector.parse(parsed.toString()));
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(delimiter = '|', textBlock = """
      env in (                 | unable to parse requirement: found end of string, expected: ',', ')' or identifier
      env in prod              | unable to parse requirement: found 'prod', expected: '('
      env in (prod qa)         | unable to parse requirement: found 'qa', expected: ',' or ')'
      env in (prod, =)         | unable to parse requirement: found '=', expected: ',', ')' or identifier
      env (prod)               | unable to parse requirement: found '(', expected: in, notin, =, ==, !=
      env is prod              | unable to parse requirement: found 'is', expected: in, notin, =, ==, !=
      a>1                      | unable to parse requirement: found '>', expected: in, notin, =, ==, !=
      =web                     | found '=', expected: !, identifier, or 'end of string'
      (a)                      | found '(', expected: !, identifier, or 'end of string'
      app=web,                 | found end of string, expected: identifier after ','
      app=web,,env=qa          | found ',', expected: identifier after ','
      app=web env=qa           | found 'env', expected: ',' or 'end of string'
      app=web=x                | found '=', expected: ',' or 'end of string'
      !app=web                 | found '=', expected: ',' or 'end of string'
      !                        | unable to parse requirement: found end of string, expected: identifier
      app=(web)                | unable to parse requirement: found '(', expected: identifier
      app in (web))            | found ')', expected: ',' or 'end of string'
      env notin ()x            | found 'x', expected: ',' or 'end of string'
      """)
  void syntaxErrorsSayWhatWasFoundAndExpected(String selector, String message) {
    SelectorException error = assertThrows(SelectorException.class, () -> LabelSelector.parse(selector));
    assertEquals(message, error.getMessage());
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(delimiter = '|', textBlock = """
      Bad Key=1                | unable to parse requirement: found 'Key', expected: in, notin, =, ==, !=
      -app=web                 | unable to parse requirement: invalid label key "-app"
      a/b/c=web                | unable to parse requirement: invalid label key "a/b/c"
      Example.com/role=db      | unable to parse requirement: invalid label key "Example.com/role": prefix part a lowercase RFC 1123 subdomain
      /role=db                 | unable to parse requirement: invalid label key "/role": prefix part must be non-empty
      app=web_                 | unable to parse requirement: invalid label value "web_" for key "app": a valid label must be an empty string
      env in (prod, -qa)       | unable to parse requirement: invalid label value "-qa" for key "env"
      app=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | unable to parse requirement: invalid label value "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" for key "app": must be no more than 63 characters
      """)
  void invalidKeysAndValuesAreRejected(String selector, String messageStart) {
    SelectorException error = assertThrows(SelectorException.class, () -> LabelSelector.parse(selector));
    assertTrue(error.getMessage().startsWith(messageStart), error.getMessage());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      {"matchLabels":{"app":"web"}}                                                     | app=web
      {"matchLabels":{"tier":"fe","app":"web"}}                                          | app=web,tier=fe
      {"matchExpressions":[{"key":"env","operator":"In","values":["qa","prod"]}]}        | env in (prod,qa)
      {"matchExpressions":[{"key":"env","operator":"NotIn","values":["dev"]}]}           | env notin (dev)
      {"matchExpressions":[{"key":"gpu","operator":"Exists"}]}                            | gpu
      {"matchExpressions":[{"key":"gpu","operator":"DoesNotExist","values":[]}]}          | !gpu
      {"matchLabels":{"app":"web"},"matchExpressions":[{"key":"app","operator":"Exists"}]} | app=web,app
      {}                                                                                  | ''
      {"matchLabels":{},"matchExpressions":[]}                                            | ''
      {"matchLabels":null,"matchExpressions":null}                                        | ''
      """)
  void jsonFormConvertsToTheSameRequirements(String json, String canonical) throws Exception {
    LabelSelector selector = LabelSelector.fromJson(JSON.readTree(json));
    assertEquals(canonical, selector.toString());
    assertEquals(canonical.isEmpty(), selector.isEverything());
    assertEquals(LabelSelector.parse(canonical), selector);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      {"matchExpressions":[{"key":"env","operator":"Equals","values":["a"]}]} | "Equals" is not a valid label selector operator
      {"matchExpressions":[{"key":"env","operator":"In","values":[]}]}       | for 'in', 'notin' operators, values set can't be empty (key "env")
      {"matchExpressions":[{"key":"env","operator":"NotIn"}]}                | for 'in', 'notin' operators, values set can't be empty (key "env")
      {"matchExpressions":[{"key":"env","operator":"Exists","values":["a"]}]} | values set must be empty for exists and does not exist (key "env")
      {"matchExpressions":[{"operator":"Exists"}]}                           | matchExpressions[0].key is required
      {"matchExpressions":[{"key":"env"}]}                                   | matchExpressions[0].operator is required
      {"matchExpressions":[{"key":"env","operator":"In","values":[1]}]}      | matchExpressions[0].values[0] must be a string, found NUMBER
      {"matchExpressions":{"key":"env"}}                                     | matchExpressions must be an array
      {"matchLabels":["app"]}                                                | matchLabels must be an object of label keys to values
      {"matchLabels":{"app":3}}                                              | matchLabels.app must be a string, found NUMBER
      {"matchLabels":{"app":"-web"}}                                         | invalid label value "-web" for key "app": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')
      "app=web"                                                              | a label selector must be an object, found STRING
      """)
  void malformedJsonSelectorsAreRejected(String json, String message) throws Exception {
    JsonNode node = JSON.readTree(json);
    SelectorException error = assertThrows(SelectorException.class, () -> LabelSelector.fromJson(node));
    assertEquals(message, error.getMessage());
  }

  @Test
  void nullSelectorSelectsNothingAndEmptySelectorSelectsEverything() {
    for (JsonNode absent : new JsonNode[] {null, NullNode.getInstance(), MissingNode.getInstance()}) {
      LabelSelector selector = LabelSelector.fromJson(absent);
      assertEquals(LabelSelector.nothing(), selector);
      assertFalse(selector.matches(Map.of()));
      assertFalse(selector.matches(Map.of("app", "web")));
      assertFalse(selector.isEverything());
    }
    assertTrue(LabelSelector.everything().matches(Map.of()));
    assertTrue(LabelSelector.everything().matches(null));
    assertTrue(LabelSelector.everything().isEverything());
    assertTrue(LabelSelector.parse(null).isEverything());
    assertTrue(LabelSelector.nothing().selectsNothing());
    assertEquals("", LabelSelector.nothing().toString());
  }

  @Test
  void fromLabelsRequiresEachLabel() {
    Map<String, String> set = new LinkedHashMap<>();
    set.put("tier", "fe");
    set.put("app", "web");
    LabelSelector selector = LabelSelector.fromLabels(set);
    assertEquals("app=web,tier=fe", selector.toString());
    assertTrue(selector.matches(Map.of("app", "web", "tier", "fe", "extra", "x")));
    assertFalse(selector.matches(Map.of("app", "web")));
    assertTrue(LabelSelector.fromLabels(Map.of()).isEverything());
    assertTrue(LabelSelector.fromLabels(null).isEverything());
    assertThrows(SelectorException.class, () -> LabelSelector.fromLabels(Map.of("a b", "c")));
  }

  @Test
  void requirementsAreValuesWithCanonicalSets() {
    Requirement a = new Requirement("env", Operator.IN, List.of("qa", "prod", "qa"));
    Requirement b = new Requirement("env", Operator.IN, List.of("prod", "qa"));
    assertEquals(a, b);
    assertEquals(List.of("prod", "qa"), a.values());
    assertEquals("env in (prod,qa)", a.toString());
    assertEquals(List.of(), new Requirement("gpu", Operator.EXISTS, null).values());
    assertThrows(SelectorException.class, () -> new Requirement("env", Operator.EQUALS, List.of("a", "b")));
    assertThrows(SelectorException.class, () -> new Requirement("env", Operator.NOT_EQUALS, List.of()));
    assertThrows(UnsupportedOperationException.class, () -> a.values().add("dev"));
    assertEquals(Operator.NOT_IN, Operator.fromApiName("NotIn"));
    assertEquals("DoesNotExist", Operator.DOES_NOT_EXIST.apiName());
  }

  @Test
  void selectorsAreImmutableAndSortedByKeyStably() {
    List<Requirement> requirements = new java.util.ArrayList<>(List.of(
        new Requirement("b", Operator.EXISTS, List.of()),
        new Requirement("a", Operator.NOT_EQUALS, List.of("2")),
        new Requirement("a", Operator.EQUALS, List.of("1"))));
    LabelSelector selector = LabelSelector.of(requirements);
    requirements.clear();
    assertEquals("a!=2,a=1,b", selector.toString());
    assertThrows(UnsupportedOperationException.class, () -> selector.requirements().clear());
    assertThrows(IllegalArgumentException.class, () -> new LabelSelector(
        List.of(new Requirement("a", Operator.EXISTS, List.of())), true));
  }
}
