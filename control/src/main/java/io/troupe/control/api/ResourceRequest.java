package io.troupe.control.api;

import io.troupe.control.auth.UserInfo;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceType;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** A request for one resource type, with its path read ({@link RequestInfo}) and its query parameters. */
record ResourceRequest(HttpRequest http, RequestInfo info, ResourceType type, UserInfo user) {

  String namespace() {
    return info.namespace();
  }

  String name() {
    return info.name();
  }

  String key() {
    return ObjectKey.of(type.kind(), info.namespace(), info.name());
  }

  Optional<String> param(String name) {
    return http.getUri().query().get(name).filter(v -> !v.isEmpty());
  }

  boolean flag(String name) {
    return param(name).map(v -> v.equals("true") || v.equals("1")).orElse(false);
  }

  String method() {
    return http.method().value();
  }

  /**
   * Who is asking, for the history of what it writes: the authenticated user's name; for an anonymous request the
   * product of its {@code User-Agent} ({@code kubectl/v1.32.0 (linux/amd64) kubernetes/…} is
   * {@code kubectl/v1.32.0}), or {@code unknown}: what the client says it is.
   */
  String author() {
    if (!user.anonymous()) return user.name();
    return http.getHeader("User-Agent").map(h -> h.value().strip().split("\\s+", 2)[0])
        .filter(a -> !a.isEmpty()).map(a -> a.length() > 100 ? a.substring(0, 100) : a).orElse("unknown");
  }

  /** What a 404 or 409 calls this object: its plural, with the group. */
  ApiException notFound() {
    return ApiException.notFound(type.plural(), type.group(), info.name());
  }
}
