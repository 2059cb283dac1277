package io.troupe.control.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * A real {@link Authenticator} for tests that act as several users before the token file authenticator exists:
 * a fixed map of bearer tokens to users ({@code Authorization: Bearer <token>}); an unknown token is rejected, a
 * request without one has no credentials. Every user it authenticates is in {@code system:authenticated}, as
 * Kubernetes' authenticators make them.
 */
public final class StaticTokens implements Authenticator {
  private final Map<String, UserInfo> users;

  public StaticTokens(Map<String, UserInfo> users) {
    this.users = Map.copyOf(users);
  }

  /** {@code name} with {@code groups} (system:authenticated added). */
  public static UserInfo user(String name, String... groups) {
    List<String> all = new ArrayList<>(List.of(groups));
    all.add(UserInfo.AUTHENTICATED);
    return new UserInfo(name, "uid-" + name, all);
  }

  @Override
  public Authentication authenticate(HttpRequest request) {
    String header = request.getHeader("Authorization").map(h -> h.value()).orElse(null);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return new Authentication.NoCredentials();
    UserInfo user = users.get(header.substring(7).trim());
    return user == null ? new Authentication.Rejected("unknown bearer token") : new Authentication.Authenticated(user);
  }
}
