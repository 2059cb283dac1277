package io.troupe.control.auth;

import io.troupe.control.api.ApiException;

/** The 403 Kubernetes answers when its authorizer says no, with its message word for word. */
public final class Forbidden {
  private Forbidden() {}

  /**
   * {@code pods "web" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace
   * "dev"}; for a collection the first part is {@code pods is forbidden}; a subresource is {@code "pods/log"};
   * cluster-wide requests say {@code at the cluster scope}; non-resource ones {@code forbidden: User "x" cannot get
   * path "/metrics"}.
   */
  public static ApiException of(Attributes a) {
    return of(a, "");
  }

  /**
   * As {@link #of(Attributes)}, with the authorizer's reason appended when it has one ({@code ...: RBAC:
   * clusterrole.rbac.authorization.k8s.io "x" not found}), as kube-apiserver's {@code responsewriters.Forbidden}.
   */
  public static ApiException of(Attributes a, String reason) {
    String why = reason == null || reason.isEmpty() ? "" : ": " + reason;
    String user = "User \"" + a.user().name() + "\"";
    if (!a.resourceRequest()) {
      return ApiException.forbidden(null, null, null,
          "forbidden: " + user + " cannot " + a.verb() + " path \"" + a.path() + "\"" + why);
    }
    String resource = a.subresource() == null ? a.resource() : a.resource() + "/" + a.subresource();
    String group = a.apiGroup() == null ? "" : a.apiGroup();
    String what = (group.isEmpty() ? a.resource() : a.resource() + "." + group)
        + (a.name() == null ? "" : " \"" + a.name() + "\"");
    String scope = a.namespace() == null ? "at the cluster scope" : "in the namespace \"" + a.namespace() + "\"";
    return ApiException.forbidden(a.resource(), group, a.name(), what + " is forbidden: " + user + " cannot "
        + a.verb() + " resource \"" + resource + "\" in API group \"" + group + "\" " + scope + why);
  }
}
