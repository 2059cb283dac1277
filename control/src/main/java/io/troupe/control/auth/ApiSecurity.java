package io.troupe.control.auth;

import com.typesafe.config.Config;

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
}
