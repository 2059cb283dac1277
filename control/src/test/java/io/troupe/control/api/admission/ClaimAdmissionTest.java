package io.troupe.control.api.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which StorageClass a claim that names none gets: GetDefaultClass. */
class ClaimAdmissionTest {

  private static KubeObject storageClass(String name, String created, String annotation, String value) {
    ObjectMeta meta = ObjectMeta.named(null, name).withCreation("uid-" + name, created);
    meta = new ObjectMeta(meta.name(), null, null, meta.uid(), null, null, meta.creationTimestamp(), null, null,
        null, annotation == null ? Map.of() : Map.of(annotation, value), null, null);
    return new KubeObject("storage.k8s.io/v1", "StorageClass", meta, Json.object().put("provisioner", "p"));
  }

  @Test
  void theNewestDefaultClassWins() {
    assertEquals(Optional.of("newer"), ClaimAdmission.defaultClass(List.of(
        storageClass("older", "2024-01-01T00:00:00Z", ClaimAdmission.IS_DEFAULT_CLASS, "true"),
        storageClass("newer", "2024-06-01T00:00:00Z", ClaimAdmission.IS_DEFAULT_CLASS, "true"),
        storageClass("newest", "2024-09-01T00:00:00Z", null, null))));
  }

  @Test
  void aTieGoesToTheFirstName() {
    assertEquals(Optional.of("a"), ClaimAdmission.defaultClass(List.of(
        storageClass("b", "2024-01-01T00:00:00Z", ClaimAdmission.IS_DEFAULT_CLASS, "true"),
        storageClass("a", "2024-01-01T00:00:00Z", ClaimAdmission.IS_DEFAULT_CLASS, "true"))));
  }

  @Test
  void onlyTrueMarksADefaultAndTheBetaAnnotationCounts() {
    assertEquals(Optional.empty(), ClaimAdmission.defaultClass(List.of(
        storageClass("no", "2024-01-01T00:00:00Z", ClaimAdmission.IS_DEFAULT_CLASS, "false"),
        storageClass("yes-ish", "2024-01-01T00:00:00Z", ClaimAdmission.IS_DEFAULT_CLASS, "True"))));
    assertEquals(Optional.of("beta"), ClaimAdmission.defaultClass(List.of(
        storageClass("beta", "2024-01-01T00:00:00Z", "storageclass.beta.kubernetes.io/is-default-class", "true"))));
    assertEquals(Optional.empty(), ClaimAdmission.defaultClass(List.of()));
  }
}
