package io.troupe.control.auth;

import java.util.List;

/**
 * Who sent a request, as Kubernetes' {@code user.Info}: a name ({@code alice}, {@code system:serviceaccount:ns:sa},
 * {@code system:anonymous}), a uid, and groups ({@code system:authenticated} for every authenticated user,
 * {@code system:unauthenticated} for the anonymous one, {@code system:masters} for cluster admins).
 */
public record UserInfo(String name, String uid, List<String> groups) {
  public static final String AUTHENTICATED = "system:authenticated";
  public static final String UNAUTHENTICATED = "system:unauthenticated";
  public static final String MASTERS = "system:masters";

  /** The user of a request that carried no credentials. */
  public static final UserInfo ANONYMOUS = new UserInfo("system:anonymous", "", List.of(UNAUTHENTICATED));

  public UserInfo {
    groups = List.copyOf(groups);
  }

  public boolean anonymous() {
    return groups.contains(UNAUTHENTICATED);
  }
}
