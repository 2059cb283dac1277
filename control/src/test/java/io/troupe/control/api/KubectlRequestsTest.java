package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests exactly as kubectl sends them (recorded with {@code kubectl -v=8}), and what it needs in the answers;
 * {@code KubectlTest} in the node module runs the real binary.
 */
class KubectlRequestsTest {
  static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
  static final String STRATEGIC = "application/strategic-merge-patch+json";
  static ControlPlane plane;
  static HttpApi api;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  static String deployment(String name, String env) {
    return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"" + name + "\"},"
        + "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},"
        + "\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}},"
        + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"" + name + "\"}},\"spec\":{\"containers\":[{"
        + "\"name\":\"main\",\"image\":\"host\",\"env\":" + env + "}]}}}}";
  }

  /** {@code kubectl scale} patches the scale subresource and decodes the answer as an autoscaling/v1 Scale. */
  @Test
  void aPatchOfTheScaleSubresourceAnswersAScale() {
    assertEquals(201, api.send("POST", DEPLOYMENTS + "?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
        HttpApi.JSON, deployment("scaled", "[]")).code());
    HttpApi.Answer answer = api.mergePatch(DEPLOYMENTS + "/scaled/scale", "{\"spec\":{\"replicas\":3}}");
    assertEquals(200, answer.code(), answer::body);
    JsonNode scale = answer.json();
    assertEquals("Scale", scale.path("kind").asText());
    assertEquals("autoscaling/v1", scale.path("apiVersion").asText());
    assertEquals(3, scale.path("spec").path("replicas").asInt());
    assertEquals(3, api.get(DEPLOYMENTS + "/scaled").json().path("spec").path("replicas").asInt());
  }

  /** The patch of {@code kubectl apply} after an env var changed, one was removed and the strategy type changed. */
  @Test
  void applysThreeWayPatchWithItsDirectives() {
    assertEquals(201, api.send("POST", DEPLOYMENTS, HttpApi.JSON, deployment("applied",
        "[{\"name\":\"GREETING\",\"value\":\"hi\"},{\"name\":\"REMOVED\",\"value\":\"soon\"}]")).code());
    String patch = "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\",\"rollingUpdate\":null},"
        + "\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"main\"}],\"containers\":["
        + "{\"$setElementOrder/env\":[{\"name\":\"GREETING\"}],\"env\":[{\"name\":\"GREETING\",\"value\":\"hello\"},"
        + "{\"$patch\":\"delete\",\"name\":\"REMOVED\"}],\"name\":\"main\"}]}}}}";
    for (String validation : List.of("Strict", "Warn", "Ignore")) {
      HttpApi.Answer answer = api.send("PATCH", DEPLOYMENTS + "/applied?fieldManager=kubectl-client-side-apply"
          + "&fieldValidation=" + validation, STRATEGIC, patch);
      assertEquals(200, answer.code(), answer::body);
      JsonNode spec = answer.json().path("spec");
      assertEquals("[{\"name\":\"GREETING\",\"value\":\"hello\"}]",
          spec.path("template").path("spec").path("containers").path(0).path("env").toString());
      assertEquals("Recreate", spec.path("strategy").path("type").asText());
      assertFalse(spec.path("strategy").has("rollingUpdate"), spec::toString);
    }
  }
}
