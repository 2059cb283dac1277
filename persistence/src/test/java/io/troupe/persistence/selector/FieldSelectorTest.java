package io.troupe.persistence.selector;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.selector.FieldSelector.Operator;
import io.troupe.persistence.selector.FieldSelector.Term;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FieldSelectorTest {

  /** A pod as the API would expose its selectable fields; spec.nodeName is unset. */
  private static final Map<String, String> POD = Map.of(
      "metadata.name", "web-1",
      "metadata.namespace", "default",
      "status.phase", "Running",
      "spec.restartPolicy", "Always",
      "metadata.annotations.note", "a=b,c");

  private static Optional<String> podField(String field) {
    return Optional.ofNullable(POD.get(field));
  }

  @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      metadata.name=web-1                          | true
      metadata.name==web-1                         | true
      metadata.name=web-2                          | false
      metadata.name!=web-2                         | true
      metadata.name!=web-1                         | false
      status.phase=Running,metadata.name=web-1     | true
      status.phase=Running,metadata.name=web-2     | false
      status.phase!=Pending,status.phase!=Failed   | true
      spec.nodeName=                               | true
      spec.nodeName!=                              | false
      spec.nodeName=node-1                         | false
      spec.nodeName!=node-1                        | true
      ' status.phase = Running , metadata.namespace=default ' | true
      'metadata.annotations.note=a\\=b\\,c'        | true
      'metadata.name=web-1,,'                      | true
      ''                                           | true
      '   '                                        | true
      """)
  void matchesFieldValues(String selector, boolean expected) {
    assertEquals(expected, FieldSelector.parse(selector).matches(FieldSelectorTest::podField));
  }

  @ParameterizedTest(name = "[{index}] ''{0}'' prints ''{1}''")
  @CsvSource(delimiter = '|', textBlock = """
      metadata.name==web                       | metadata.name=web
      status.phase!=Running                    | status.phase!=Running
      spec.nodeName=n1,metadata.name=a         | metadata.name=a,spec.nodeName=n1
      'a=x\\,y'                                | 'a=x\\,y'
      'a=x\\=y\\\\z'                           | 'a=x\\=y\\\\z'
      spec.nodeName=                           | spec.nodeName=
      ''                                       | ''
      """)
  void canonicalStringIsSortedAndParsesBack(String selector, String canonical) {
    FieldSelector parsed = FieldSelector.parse(selector);
    assertEquals(canonical, parsed.toString());
    assertEquals(parsed, FieldSelector.parse(parsed.toString()));
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(delimiter = '|', textBlock = """
      metadata.name                 | invalid selector: 'metadata.name'; can't understand 'metadata.name'
      a=b,status.phase              | invalid selector: 'a=b,status.phase'; can't understand 'status.phase'
      =web                          | invalid selector: '=web'; field name is empty in '=web'
      a=b=c                         | invalid field selector: unescaped character in value: =
      a==b=c                        | invalid field selector: unescaped character in value: =
      'a=b\\x'                      | invalid field selector: invalid escape sequence: \\x
      'a=b\\'                       | invalid field selector: invalid escape sequence: \\
      """)
  void malformedSelectorsAreRejected(String selector, String message) {
    SelectorException error = assertThrows(SelectorException.class, () -> FieldSelector.parse(selector));
    assertEquals(message, error.getMessage());
  }

  @Test
  void fieldsListsEachFieldOnceForTheApiToCheck() {
    FieldSelector selector = FieldSelector.parse("status.phase!=Failed,spec.foo=x,status.phase!=Pending");
    assertEquals(Set.of("spec.foo", "status.phase"), selector.fields());
    SelectorException error = assertThrows(SelectorException.class,
        () -> selector.requireSupported(Set.of("metadata.name", "status.phase")));
    assertEquals("field label not supported: spec.foo", error.getMessage());
    assertDoesNotThrow(() -> selector.requireSupported(Set.of("spec.foo", "status.phase")));
    assertTrue(FieldSelector.parse("").fields().isEmpty());
  }

  @Test
  void exactMatchServesIndexLookups() {
    FieldSelector selector = FieldSelector.parse("spec.nodeName=node-1,status.phase!=Failed");
    assertEquals(Optional.of("node-1"), selector.exactMatch("spec.nodeName"));
    assertEquals(Optional.empty(), selector.exactMatch("status.phase"));
    assertEquals(Optional.empty(), selector.exactMatch("metadata.name"));
  }

  @Test
  void everythingAndTermsAreValues() {
    assertTrue(FieldSelector.parse(null).isEverything());
    assertTrue(FieldSelector.everything().matches(field -> Optional.empty()));
    assertEquals(new FieldSelector(List.of(new Term("a", Operator.EQUALS, "b"))), FieldSelector.parse("a==b"));
    assertThrows(SelectorException.class, () -> new Term("", Operator.EQUALS, "b"));
    assertThrows(UnsupportedOperationException.class,
        () -> FieldSelector.parse("a=b").terms().add(new Term("c", Operator.EQUALS, "d")));
  }
}
