package io.troupe.control.auth;

/**
 * What a request asks to do, as Kubernetes' {@code authorizer.Attributes}. A resource request has a verb
 * ({@code get list watch create update patch delete deletecollection}), an API group ({@code ""} for the core
 * group), a resource ({@code pods}), maybe a subresource ({@code status}, {@code scale}, {@code log}), a
 * namespace ({@code null} for cluster-scoped or all-namespace requests) and a name ({@code null} for collections).
 * A non-resource request ({@code /healthz}, {@code /version}, {@code /api}) has a path and the method as verb
 * ({@code get}, {@code post}...).
 */
public record Attributes(UserInfo user, String verb, boolean resourceRequest, String apiGroup, String resource,
    String subresource, String namespace, String name, String path) {

  public static Attributes resource(UserInfo user, String verb, String apiGroup, String resource,
      String subresource, String namespace, String name) {
    return new Attributes(user, verb, true, apiGroup, resource, subresource, namespace, name, null);
  }

  public static Attributes nonResource(UserInfo user, String verb, String path) {
    return new Attributes(user, verb, false, null, null, null, null, null, path);
  }
}
