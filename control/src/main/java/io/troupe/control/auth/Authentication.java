package io.troupe.control.auth;

/** What an {@link Authenticator} made of a request's credentials. */
public sealed interface Authentication {

  /** The credentials are valid: the request is {@code user}'s. */
  record Authenticated(UserInfo user) implements Authentication {}

  /** The request carried no credentials this authenticator reads. */
  record NoCredentials() implements Authentication {}

  /** Credentials were presented and are not valid (401, even where anonymous requests would be allowed). */
  record Rejected(String reason) implements Authentication {}
}
