package io.troupe.control.auth;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Several authenticators, as Kubernetes' union authenticator chains them (client certificates first, then bearer
 * tokens): the first that authenticates the request wins, whatever the others said; otherwise a rejection, if any
 * said so, rejects it. A bearer token that no authenticator accepted is rejected too (Kubernetes' "invalid bearer
 * token"), so a token authenticator answers {@link Authentication.NoCredentials} for a token it does not know and
 * leaves the verdict to the union. Every authenticated user is in {@code system:authenticated} (Kubernetes'
 * AuthenticatedGroupAdder).
 */
public record UnionAuthenticator(List<Authenticator> authenticators) implements Authenticator {

  public UnionAuthenticator {
    authenticators = List.copyOf(authenticators);
  }

  @Override
  public Authentication authenticate(HttpRequest request) {
    List<String> rejections = new ArrayList<>();
    for (Authenticator authenticator : authenticators) {
      Authentication result = authenticator.authenticate(request);
      if (result instanceof Authentication.Authenticated a) {
        return new Authentication.Authenticated(withAuthenticatedGroup(a.user()));
      }
      if (result instanceof Authentication.Rejected r) rejections.add(r.reason());
    }
    if (!rejections.isEmpty()) return new Authentication.Rejected(String.join("; ", rejections));
    if (BearerToken.of(request).isPresent()) return new Authentication.Rejected("invalid bearer token");
    return new Authentication.NoCredentials();
  }

  static UserInfo withAuthenticatedGroup(UserInfo user) {
    if (user.groups().contains(UserInfo.AUTHENTICATED)) return user;
    List<String> groups = new ArrayList<>(user.groups());
    groups.add(UserInfo.AUTHENTICATED);
    return new UserInfo(user.name(), user.uid(), groups);
  }
}
