package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.UpdateValidationTest.of;

import io.troupe.control.api.validation.UpdateValidationTest.UpdateCase;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What may change in Secrets, PersistentVolumes, PersistentVolumeClaims and StorageClasses once created. */
class StorageUpdateValidationTest {
  private static final String IMMUTABLE_WHEN_SET = "Forbidden: field is immutable when `immutable` is set";

  static Stream<UpdateCase> secrets() {
    return Stream.of(
        of("Secret", "no change"),
        of("Secret", "data changes").updated("data", "{\"token\":\"dG9rZW4=\"}"),
        of("Secret", "type changes").updated("type", "\"kubernetes.io/basic-auth\"")
            .expect("type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable"),
        of("Secret", "made immutable").updated("immutable", "true"),
        of("Secret", "immutable data changes").both("immutable", "true").updated("data", "{\"a\":\"YQ==\"}")
            .expect("data: " + IMMUTABLE_WHEN_SET),
        of("Secret", "immutable made mutable").old("immutable", "true")
            .expect("immutable: " + IMMUTABLE_WHEN_SET),
        of("Secret", "immutable labels change").both("immutable", "true")
            .updated("metadata.labels", "{\"rotated\":\"no\"}"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"secrets"})
  void validatesUpdates(UpdateCase row) {
    row.check();
  }
}
