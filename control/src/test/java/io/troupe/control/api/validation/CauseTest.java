package io.troupe.control.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CauseTest {

  static Stream<Arguments> factories() {
    return Stream.of(
        Arguments.of(Cause.required("spec.containers", ""), "FieldValueRequired", "Required value"),
        Arguments.of(Cause.required("metadata.name", "name or generateName is required"), "FieldValueRequired",
            "Required value: name or generateName is required"),
        Arguments.of(Cause.invalid("spec.replicas", -1L, "must be greater than or equal to 0"),
            "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
        Arguments.of(Cause.invalid("x", null, "gone"), "FieldValueInvalid", "Invalid value: null: gone"),
        Arguments.of(Cause.duplicate("spec.containers[1].name", "web"), "FieldValueDuplicate",
            "Duplicate value: \"web\""),
        Arguments.of(Cause.notSupported("spec.restartPolicy", "Sometimes", List.of("Always", "Never")),
            "FieldValueNotSupported", "Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\""),
        Arguments.of(Cause.notSupported("x", "y", List.of()), "FieldValueNotSupported", "Unsupported value: \"y\""),
        Arguments.of(Cause.forbidden("spec", "no"), "FieldValueForbidden", "Forbidden: no"),
        Arguments.of(Cause.tooLong("metadata.annotations", 262144), "FieldValueTooLong",
            "Too long: may not be more than 262144 bytes"),
        Arguments.of(Cause.tooLong("x", 1), "FieldValueTooLong", "Too long: may not be more than 1 byte"));
  }

  @ParameterizedTest(name = "[{index}] {2}")
  @MethodSource("factories")
  void factoriesUseKubernetesReasonsAndWords(Cause cause, String reason, String message) {
    assertEquals(reason, cause.reason());
    assertEquals(message, cause.message());
    assertEquals(cause.field() + ": " + message, cause.toString());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      "web"              | "web"
      "say \\"hi\\""     | "say \\"hi\\""
      1.50               | 1.5
      2.0                | 2
      12345678901234567890 | 12345678901234567890
      true               | true
      null               | null
      [1,"a"]            | [1,"a"]
      {"b":"2","a":"1"}  | {"b":"2","a":"1"}
      """)
  void jsonValuesPrintLikeKubernetes(String json, String printed) {
    assertEquals(printed, Cause.goValue(Manifests.parse(json)));
  }

  @Test
  void stringsAreQuotedLikeGo() {
    assertEquals("\"a\\\"b\\\\c\\n\\t\\x01\\x7fé\\u0085\"", Cause.goQuote("a\"b\\c\n\t\u0001\u007fé\u0085"));
    assertEquals("\"\"", Cause.goValue(""));
  }

  @Test
  void labelMapsPrintAsGoMapsWithSortedKeys() {
    Map<String, String> labels = new TreeMap<>(Map.of("tier", "fe", "app", "web"));
    assertEquals("map[string]string{\"app\":\"web\", \"tier\":\"fe\"}", Cause.goValue(labels));
    assertEquals("map[string]string{}", Cause.goValue(Map.of()));
  }

  @Test
  void invalidMessageIsTheStatusMessage() {
    ObjectNode pod = Manifests.valid("Pod");
    assertEquals("Pod \"web-1\" is invalid", ObjectValidation.invalidMessage(pod, List.of()));
    Cause containers = Cause.required("spec.containers", "");
    assertEquals("Pod \"web-1\" is invalid: spec.containers: Required value",
        ObjectValidation.invalidMessage(pod, List.of(containers)));
    Cause image = Cause.required("spec.containers[0].image", "");
    assertEquals("Pod \"web-1\" is invalid: [spec.containers: Required value, spec.containers[0].image: "
        + "Required value]", ObjectValidation.invalidMessage(pod, List.of(containers, image, containers)));
    ObjectNode deployment = Manifests.valid("Deployment");
    Manifests.edit(deployment, "spec.replicas", "-1");
    assertEquals("Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or "
        + "equal to 0", ObjectValidation.invalidMessage(deployment, ObjectValidation.validate(deployment)));
    ObjectNode ingress = Manifests.valid("Ingress");
    Manifests.edit(ingress, "metadata.name", null);
    Manifests.edit(ingress, "metadata.generateName", "\"web-\"");
    assertEquals("Ingress.networking.k8s.io \"\" is invalid",
        ObjectValidation.invalidMessage(ingress, ObjectValidation.validate(ingress)));
  }

  @Test
  void validatingDoesNotChangeTheObject() {
    ObjectNode pod = Manifests.valid("Pod");
    Manifests.edit(pod, "spec.containers[0].name", "\"Web\"");
    ObjectNode copy = pod.deepCopy();
    ObjectValidation.validate(pod);
    ObjectValidation.validateUpdate(copy, pod);
    assertEquals(copy, pod);
  }
}
