package io.troupe.control.auth;

import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Reads a request's credentials (a bearer token, a client certificate). Synchronous: every authenticator here
 * checks against what it holds in memory (a token file, the CA, a signing key), as kube-apiserver's do.
 */
public interface Authenticator {
  Authentication authenticate(HttpRequest request);

  /** Development only: every request is {@code user}'s, credentials or not. */
  static Authenticator everyoneIs(UserInfo user) {
    return request -> new Authentication.Authenticated(user);
  }
}
