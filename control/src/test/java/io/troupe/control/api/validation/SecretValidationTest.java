package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.CONFIG_KEY;
import static io.troupe.control.api.validation.ValidationCase.of;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Secrets as Kubernetes validates them: base64 values under config keys, and the keys of each well-known type. */
class SecretValidationTest {
  private static final String REDACTED = "\"<secret contents redacted>\"";

  private static String base64(String text) {
    return "\"" + Base64.getEncoder().encodeToString(text.getBytes()) + "\"";
  }

  static Stream<ValidationCase> secrets() {
    return Stream.of(
        of("Secret", "valid"),
        of("Secret", "no data").remove("data"),
        of("Secret", "base64 with newlines").set("data.username", "\"YWRt\\naW4=\\r\\n\""),
        of("Secret", "value not base64").set("data.password", "\"s3cr3t!\"")
            .expect("data[password]: Invalid value: " + REDACTED + ": illegal base64 data at input byte 6"),
        of("Secret", "value without padding").set("data.password", "\"YWJ\"")
            .expect("data[password]: Invalid value: " + REDACTED + ": illegal base64 data at input byte 0"),
        of("Secret", "value with garbage after padding").set("data.password", "\"YQ==YQ==\"")
            .expect("data[password]: Invalid value: " + REDACTED + ": illegal base64 data at input byte 4"),
        of("Secret", "value not a string").set("data.password", "42")
            .expect("data[password]: Invalid value: 42: must be a string"),
        of("Secret", "bad key").set("data", "{\"my key\":\"YQ==\"}")
            .expect("data[my key]: Invalid value: \"my key\": " + CONFIG_KEY),
        of("Secret", "stringData left with a non-string").set("stringData", "{\"port\":5432}")
            .expect("stringData[port]: Invalid value: 5432: must be a string"),
        of("Secret", "over 1 MiB").set("data", "{\"a\":\"" + "A".repeat(4 * 350_000) + "\"}")
            .expect("data: Too long: may not be more than 1048576 bytes"),
        of("Secret", "immutable not a boolean").set("immutable", "\"yes\"")
            .expect("immutable: Invalid value: \"yes\": must be a boolean"),
        of("Secret", "tls").set("type", "\"kubernetes.io/tls\"")
            .set("data", "{\"tls.crt\":\"Y2VydA==\",\"tls.key\":\"a2V5\"}"),
        of("Secret", "tls without its keys").set("type", "\"kubernetes.io/tls\"")
            .expect("data[tls.crt]: Required value", "data[tls.key]: Required value"),
        of("Secret", "dockerconfigjson").set("type", "\"kubernetes.io/dockerconfigjson\"")
            .set("data", "{\".dockerconfigjson\":" + base64("{\"auths\":{}}") + "}"),
        of("Secret", "dockerconfigjson without its key").set("type", "\"kubernetes.io/dockerconfigjson\"")
            .expect("data[.dockerconfigjson]: Required value"),
        of("Secret", "dockerconfigjson not JSON").set("type", "\"kubernetes.io/dockerconfigjson\"")
            .set("data", "{\".dockerconfigjson\":" + base64("{auths") + "}")
            .expect("data[.dockerconfigjson]: Invalid value: " + REDACTED + ": invalid JSON at byte 1"),
        of("Secret", "dockerconfigjson an array").set("type", "\"kubernetes.io/dockerconfigjson\"")
            .set("data", "{\".dockerconfigjson\":" + base64("[]") + "}")
            .expect("data[.dockerconfigjson]: Invalid value: " + REDACTED + ": json: cannot unmarshal array into "
                + "Go value of type map[string]interface {}"),
        of("Secret", "dockercfg without its key").set("type", "\"kubernetes.io/dockercfg\"")
            .expect("data[.dockercfg]: Required value"),
        of("Secret", "basic-auth with a username").set("type", "\"kubernetes.io/basic-auth\"")
            .set("data", "{\"username\":\"\"}"),
        of("Secret", "basic-auth with neither").set("type", "\"kubernetes.io/basic-auth\"").set("data", "{}")
            .expect("data[username]: Required value", "data[password]: Required value"),
        of("Secret", "ssh-auth without a key").set("type", "\"kubernetes.io/ssh-auth\"")
            .expect("data[ssh-privatekey]: Required value"),
        of("Secret", "service account token without its account").set("type",
                "\"kubernetes.io/service-account-token\"")
            .expect("metadata.annotations[kubernetes.io/service-account.name]: Required value"),
        of("Secret", "a type of another owner").set("type", "\"example.com/license\""));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("secrets")
  void validatesSecrets(ValidationCase row) {
    row.check();
  }

  static Stream<Arguments> base64Inputs() {
    // what Go's base64.StdEncoding.DecodeString answers for each
    return Stream.of(
        Arguments.of("", -1), Arguments.of("YQ==", -1), Arguments.of("YWI=", -1), Arguments.of("YWJj", -1),
        Arguments.of("YQ=", 3), Arguments.of("Y===", 1), Arguments.of("YQ", 0), Arguments.of("YWJjZ", 4),
        Arguments.of("YW-j", 2), Arguments.of("YQ==\n", -1), Arguments.of("YQ=\n=", -1), Arguments.of("YQ==x", 4),
        Arguments.of("=", 0), Arguments.of("YWJj\r\nZGVm", -1), Arguments.of("YWJjé", 4));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("base64Inputs")
  void readsBase64AsGoDoes(String text, int corruptAt) {
    assertEquals(corruptAt, Base64Data.corruptAt(text));
  }

  @Test
  void countsDecodedBytes() {
    assertEquals(0, Base64Data.decodedLength(""));
    assertEquals(1, Base64Data.decodedLength("YQ=="));
    assertEquals(2, Base64Data.decodedLength("YWI="));
    assertEquals(6, Base64Data.decodedLength("YWJj\nZGVm"));
  }
}
