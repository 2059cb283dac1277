package io.troupe.control.auth;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** The token of a request's {@code Authorization: Bearer <token>} header, as Kubernetes' bearertoken reads it. */
public final class BearerToken {
  private BearerToken() {}

  /**
   * The token; empty when the request has no {@code Authorization} header or one of another scheme (Basic...).
   * A {@code Bearer} header without a token gives {@code ""}: presented, and not valid.
   */
  public static Optional<String> of(HttpRequest request) {
    return request.getHeader("Authorization").map(h -> h.value().strip())
        .filter(v -> v.regionMatches(true, 0, "Bearer", 0, 6) && (v.length() == 6 || v.charAt(6) == ' '))
        .map(v -> v.substring(6).strip());
  }
}
