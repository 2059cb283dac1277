package io.troupe.control;

import io.troupe.persistence.TestSystems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Troupe control plane for a test: its own data directory, the API on a free port of 127.0.0.1, and no
 * scheduler or controllers unless {@code troupe.controllers.enabled} is set.
 */
public final class TestControlPlane {
  private TestControlPlane() {}

  public static ControlPlane start() {
    return start(Map.of());
  }

  public static ControlPlane start(Map<String, Object> overrides) {
    try {
      return start(Files.createTempDirectory("troupe-test"), overrides);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ControlPlane start(Path dataDir, Map<String, Object> overrides) {
    Map<String, Object> all = new HashMap<>(overrides);
    all.putIfAbsent("troupe.api.port", 0);
    // API tests see only their own writes; tests of the control loops turn them on
    all.putIfAbsent("troupe.controllers.enabled", false);
    // API tests speak plain HTTP unless they set it: TLS and authentication have tests of their own
    // (ApiAuthenticationTest), the CLI's tests of a real `troupe server` go through TLS
    all.putIfAbsent("troupe.api.tls.enabled", false);
    // API tests send no credentials: every request is allowed, as before #8 (the security tests set RBAC)
    all.putIfAbsent("troupe.api.authorization.mode", "AlwaysAllow");
    return ControlPlane.start(TestSystems.singleJvm(dataDir, all));
  }

  public static String url(ControlPlane plane) {
    return plane.apiUrl();
  }
}
