package io.troupe.control.auth;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Authenticates requests bearing a service account token ({@code Authorization: Bearer <jwt>}) this cluster issued,
 * as kube-apiserver's service account authenticator: the signature, the issuer, one of the API's audiences, not
 * expired (nor before {@code nbf}), and the service account (and the pod the token is bound to) still existing with
 * the uid in the token. The user is {@code system:serviceaccount:<ns>:<name>} (uid: the account's), in the groups
 * {@code system:serviceaccounts}, {@code system:serviceaccounts:<ns>} and {@code system:authenticated}.
 *
 * <p>A bearer token that is not a JWT of this issuer is not this authenticator's ({@code NoCredentials}: another
 * authenticator may know it); one that is but fails a check is {@code Rejected} (401). The accounts and pods are
 * read from the watch cache (no I/O).
 */
public final class ServiceAccountTokenAuthenticator implements Authenticator {
  public static final String ALL_SERVICE_ACCOUNTS = "system:serviceaccounts";

  private final Store store;
  private final ServiceAccountTokens tokens;
  private final Clock clock;

  public ServiceAccountTokenAuthenticator(Store store, ServiceAccountTokens tokens, Clock clock) {
    this.store = store;
    this.tokens = tokens;
    this.clock = clock;
  }

  /**
   * {@code security} with this authenticator tried first: a request it does not recognise goes to
   * {@code security}'s own authenticator. (The composite authenticator of #8 may list it instead.)
   */
  public static ApiSecurity addTo(ApiSecurity security, Store store, ServiceAccountTokens tokens) {
    Authenticator serviceAccounts = new ServiceAccountTokenAuthenticator(store, tokens, Clock.systemUTC());
    Authenticator others = security.authenticator();
    Authenticator both = request -> {
      Authentication a = serviceAccounts.authenticate(request);
      return a instanceof Authentication.NoCredentials ? others.authenticate(request) : a;
    };
    return new ApiSecurity(both, security.anonymousRequests(), security.authorizer());
  }

  @Override
  public Authentication authenticate(HttpRequest request) {
    Optional<String> token = bearerToken(request);
    if (token.isEmpty()) return new Authentication.NoCredentials();
    ServiceAccountTokens.Verification verification = tokens.verify(token.get(), clock.instant());
    if (verification instanceof ServiceAccountTokens.Verification.NotOurs) return new Authentication.NoCredentials();
    if (verification instanceof ServiceAccountTokens.Verification.Invalid invalid) {
      return new Authentication.Rejected(invalid.reason());
    }
    ServiceAccountTokens.Subject subject = ((ServiceAccountTokens.Verification.Valid) verification).claims().subject();
    Optional<KubeObject> account = live(ObjectKey.of(ResourceTypes.SERVICE_ACCOUNT.kind(), subject.namespace(),
        subject.serviceAccountName()));
    if (account.isEmpty()) {
      return new Authentication.Rejected("service account " + subject.namespace() + "/"
          + subject.serviceAccountName() + " has been deleted");
    }
    if (!account.get().metadata().uid().equals(subject.serviceAccountUid())) {
      return new Authentication.Rejected("service account UID (" + account.get().metadata().uid()
          + ") does not match claim (" + subject.serviceAccountUid() + ")");
    }
    if (subject.pod().isPresent()) {
      ServiceAccountTokens.BoundObject bound = subject.pod().get();
      Optional<KubeObject> pod = store.get(ObjectKey.of("Pod", subject.namespace(), bound.name()))
          .map(Stored::object);
      if (pod.isEmpty()) {
        return new Authentication.Rejected("pod " + subject.namespace() + "/" + bound.name() + " has been deleted");
      }
      if (!pod.get().metadata().uid().equals(bound.uid())) {
        return new Authentication.Rejected("pod UID (" + pod.get().metadata().uid() + ") does not match claim ("
            + bound.uid() + ")");
      }
    }
    return new Authentication.Authenticated(new UserInfo(subject.userName(), subject.serviceAccountUid(), List.of(
        ALL_SERVICE_ACCOUNTS, ALL_SERVICE_ACCOUNTS + ":" + subject.namespace(), UserInfo.AUTHENTICATED)));
  }

  private Optional<KubeObject> live(String key) {
    return store.get(key).map(Stored::object).filter(o -> !o.metadata().isDeleting());
  }

  /** The token of an {@code Authorization: Bearer} header (the scheme in any case, as Go's server reads it). */
  static Optional<String> bearerToken(HttpRequest request) {
    return request.getHeader("Authorization").map(h -> h.value().strip())
        .filter(v -> v.length() > 7 && v.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(v -> v.substring(7).strip()).filter(t -> !t.isEmpty());
  }
}
