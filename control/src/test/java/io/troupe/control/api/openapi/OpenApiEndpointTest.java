package io.troupe.control.api.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /openapi/v2 and /openapi/v3 over HTTP, with the caching and content negotiation client-go relies on. */
class OpenApiEndpointTest {
  static final String PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
  static ControlPlane plane;
  static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(TestControlPlane.url(plane) + path))
        .timeout(Duration.ofSeconds(30));
    if (headers.length > 0) request.headers(headers);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theV3IndexLinksEachGroupVersionByHash() throws Exception {
    HttpResponse<String> index = get("/openapi/v3");
    assertEquals(200, index.statusCode());
    String url = Json.MAPPER.readTree(index.body()).path("paths").path("apis/apps/v1").path("serverRelativeURL")
        .asText();
    assertTrue(url.startsWith("/openapi/v3/apis/apps/v1?hash="), url);
    HttpResponse<String> doc = get(url, "Accept", "application/json");
    assertEquals(200, doc.statusCode());
    assertTrue(doc.headers().firstValue("Cache-Control").orElse("").contains("immutable"), doc.headers()::toString);
    JsonNode json = Json.MAPPER.readTree(doc.body());
    assertEquals("3.0.0", json.path("openapi").asText());
    assertTrue(json.path("components").path("schemas").has("io.k8s.api.apps.v1.Deployment"));
  }

  @Test
  void anUnchangedDocumentIsNotSentAgain() throws Exception {
    HttpResponse<String> first = get("/openapi/v3/api/v1");
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertEquals(304, get("/openapi/v3/api/v1", "If-None-Match", etag).statusCode());
    assertEquals(200, get("/openapi/v3/api/v1", "If-None-Match", "\"other\"").statusCode());
    assertEquals(304, get("/openapi/v2", "If-None-Match", get("/openapi/v2").headers().firstValue("ETag")
        .orElseThrow()).statusCode());
  }

  @Test
  void anOldHashRedirectsToTheCurrentDocument() throws Exception {
    HttpResponse<String> moved = get("/openapi/v3/api/v1?hash=0123");
    assertEquals(301, moved.statusCode());
    assertTrue(moved.headers().firstValue("Location").orElse("").startsWith("/openapi/v3/api/v1?hash="));
  }

  /** client-go asks for /openapi/v2 in protobuf only; a 406 is an error it reports, JSON would be misread. */
  @Test
  void protobufIsNotAcceptableJsonIs() throws Exception {
    HttpResponse<String> protobuf = get("/openapi/v2", "Accept", PROTOBUF_V2);
    assertEquals(406, protobuf.statusCode());
    assertEquals("NotAcceptable", Json.MAPPER.readTree(protobuf.body()).path("reason").asText());
    HttpResponse<String> json = get("/openapi/v2", "Accept", PROTOBUF_V2 + ", application/json");
    assertEquals(200, json.statusCode());
    assertEquals("2.0", Json.MAPPER.readTree(json.body()).path("swagger").asText());
  }

  @Test
  void anUnknownGroupVersionIsNotFound() throws Exception {
    assertEquals(404, get("/openapi/v3/apis/batch/v1").statusCode());
  }
}
