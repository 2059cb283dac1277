package io.troupe.control.auth;

import com.typesafe.config.Config;
import io.troupe.control.auth.rbac.RbacAuthorizer;
import io.troupe.persistence.watch.WatchCache;
import io.troupe.control.pki.ApiTls;
import io.troupe.control.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * From {@code troupe.api}'s settings: client certificates of the cluster CA (when TLS is on; the CA is the one
   * {@link ApiTls} made or read, so call this after it), then the bearer tokens of
   * {@code authentication.token-auth-file}; requests without credentials are anonymous when
   * {@code authentication.anonymous} says so.
   */
  public static ApiSecurity from(Config config) {
    return new ApiSecurity(new UnionAuthenticator(authenticators(config)),
        config.getBoolean("troupe.api.authentication.anonymous"), Authorizer.alwaysAllow());
  }

  /** The authenticators {@code config} asks for, in Kubernetes' order: x509 first, then tokens. */
  public static List<Authenticator> authenticators(Config config) {
    List<Authenticator> authenticators = new ArrayList<>();
    if (ApiTls.enabled(config)) {
      Path ca = ApiTls.caCertFile(config);
      try {
        authenticators.add(new ClientCertificateAuthenticator(Pem.certificates(Files.readString(ca))));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the cluster CA " + ca + " for client certificates", e);
      }
    }
    String tokenFile = config.getString("troupe.api.authentication.token-auth-file");
    if (!tokenFile.isBlank()) authenticators.add(TokenFileAuthenticator.read(Path.of(tokenFile)));
    return authenticators;
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
