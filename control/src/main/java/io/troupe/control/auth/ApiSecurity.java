package io.troupe.control.auth;

import com.typesafe.config.Config;
import io.troupe.control.auth.rbac.RbacAuthorizer;
import io.troupe.persistence.watch.WatchCache;

/**
 * How the API server decides who is asking and what they may do: an {@link Authenticator}, whether requests
 * without credentials go on as {@link UserInfo#ANONYMOUS} (then the authorizer decides what anonymous may do) or
 * get 401, and an {@link Authorizer}.
 */
public record ApiSecurity(Authenticator authenticator, boolean anonymousRequests, Authorizer authorizer) {

  /** No credentials read, every request anonymous and allowed: the API as it was before #8. */
  public static ApiSecurity open() {
    return new ApiSecurity(request -> new Authentication.NoCredentials(), true, Authorizer.alwaysAllow());
  }

  /** From {@code troupe.api}'s settings. */
  public static ApiSecurity from(Config config) {
    return open();
  }

  /**
   * From {@code troupe.api}'s settings, with the authorizer {@code troupe.api.authorization.mode} names:
   * {@code RBAC} (Roles and bindings read from {@code cache}) or {@code AlwaysAllow} (everything allowed).
   */
  public static ApiSecurity from(Config config, WatchCache cache) {
    ApiSecurity base = from(config);
    return base.withAuthorizer(authorizer(config.getString("troupe.api.authorization.mode"), cache));
  }

  static Authorizer authorizer(String mode, WatchCache cache) {
    switch (mode) {
      case "RBAC":
        return new RbacAuthorizer(cache);
      case "AlwaysAllow":
        return Authorizer.alwaysAllow();
      default:
        throw new IllegalArgumentException("troupe.api.authorization.mode: " + mode
            + " is not one of RBAC, AlwaysAllow");
    }
  }

  public ApiSecurity withAuthenticator(Authenticator value) {
    return new ApiSecurity(value, anonymousRequests, authorizer);
  }

  public ApiSecurity withAuthorizer(Authorizer value) {
    return new ApiSecurity(authenticator, anonymousRequests, value);
  }
}
