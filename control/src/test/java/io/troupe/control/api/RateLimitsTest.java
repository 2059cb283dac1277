package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.assertStatus;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.limits.LimitSettings;
import io.troupe.control.auth.UserInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Per-client limits through the real API: past its burst a client gets 429 TooManyRequests with
 * {@code Retry-After}, the health probes are still answered, and open watches are bounded per client and freed
 * as they close.
 */
class RateLimitsTest {
  private static final String NS = "/api/v1/namespaces/default";
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static HttpResponse<String> get(String base, String path) {
    try {
      return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void pastItsBurstAClientGets429WithRetryAfter() throws Exception {
    // one token every 5 seconds, 5 saved up: the sixth request in a row has none
    try (ControlPlane plane = TestControlPlane.start(Map.of("troupe.api.limits.rate", 0.2,
        "troupe.api.limits.burst", 5))) {
      String base = TestControlPlane.url(plane);
      for (int i = 0; i < 5; i++) assertEquals(200, get(base, NS + "/configmaps").statusCode(), "request " + i);
      HttpResponse<String> refused = get(base, NS + "/configmaps");
      JsonNode status = assertStatus(new HttpApi.Answer(refused.statusCode(), refused.body(),
          refused.headers().firstValue("Content-Type").orElse("")), 429, "TooManyRequests");
      long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter);
      assertEquals(retryAfter, status.path("details").path("retryAfterSeconds").asLong(), status::toString);
      // discovery and non-resource paths count too; the probes never do
      assertEquals(429, get(base, "/api").statusCode());
      for (String probe : List.of("/healthz", "/livez", "/readyz")) {
        assertEquals(200, get(base, probe).statusCode(), probe);
      }
    }
  }

  @Test
  void openWatchesAreBoundedPerClientAndFreedWhenTheyClose() throws Exception {
    try (ControlPlane plane = TestControlPlane.start(Map.of("troupe.api.limits.max-watches-per-client", 2))) {
      HttpApi api = new HttpApi(TestControlPlane.url(plane));
      HttpApi.Watch first = api.watch(NS + "/configmaps?watch=true");
      HttpApi.Watch second = api.watch(NS + "/pods?watch=true");
      assertEquals(200, first.code());
      assertEquals(200, second.code());
      HttpApi.Watch third = api.watch(NS + "/secrets?watch=true");
      assertEquals(429, third.code());
      JsonNode status = third.next(Duration.ofSeconds(10));
      HttpApi.assertStatusObject(status, 429, "TooManyRequests");
      third.close();
      // other requests of the client are not held back by its watches
      assertEquals(200, api.get(NS + "/configmaps").code());
      first.close();
      // the server counts the watch closed once it sees the connection end
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      HttpApi.Watch again;
      while (true) {
        again = api.watch(NS + "/configmaps?watch=true");
        if (again.code() == 200 || System.nanoTime() > deadline) break;
        again.close();
      }
      assertEquals(200, again.code());
      again.close();
      second.close();
    }
  }

  /** Which requests are limited, and who the client is: a pure table over {@link RequestLimits}. */
  @Test
  void mastersAndProbesAreExemptAndAnonymousClientsAreTheirAddress() {
    LimitSettings settings = new LimitSettings(true, 0.001, 1, Set.of(UserInfo.MASTERS), 1, Duration.ofMinutes(30),
        Duration.ofSeconds(32));
    RequestLimits limits = new RequestLimits(settings);
    var request = org.apache.pekko.http.javadsl.model.HttpRequest.GET("/api/v1/pods");
    UserInfo admin = new UserInfo("troupe-admin", "", List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED));
    UserInfo alice = new UserInfo("alice", "", List.of(UserInfo.AUTHENTICATED));
    for (int i = 0; i < 10; i++) limits.admit(request, admin, "/api/v1/pods");
    limits.admit(request, alice, "/api/v1/pods");
    ApiException refused = assertThrows(ApiException.class, () -> limits.admit(request, alice, "/api/v1/pods"));
    assertEquals(429, refused.code());
    assertDoesNotThrow(() -> limits.admit(request, alice, "/healthz"));
    assertEquals("user:alice", RequestLimits.client(request, alice));
    assertEquals("address:unknown", RequestLimits.client(request, UserInfo.ANONYMOUS));
    RequestLimits off = new RequestLimits(new LimitSettings(false, 0.001, 1, Set.of(), 1, Duration.ofMinutes(1),
        Duration.ofSeconds(32)));
    for (int i = 0; i < 10; i++) off.admit(request, alice, "/api/v1/pods");
  }
}
