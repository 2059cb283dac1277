package io.troupe.control.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A resource request's path, read as the Kubernetes API server reads it:
 * {@code /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}} or {@code /apis/{group}/{version}/...};
 * a namespace itself is {@code /api/v1/namespaces/{name}}.
 */
public record RequestInfo(
    String group, String version, String namespace, String resource, String name, String subresource) {

  /** Empty when the path is not a resource path (discovery, health, unknown). */
  public static Optional<RequestInfo> parse(String path) {
    List<String> parts = new ArrayList<>();
    for (String p : path.split("/")) if (!p.isEmpty()) parts.add(p);
    String group;
    String version;
    int i;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      version = parts.get(1);
      i = 2;
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      version = parts.get(2);
      i = 3;
    } else {
      return Optional.empty();
    }
    List<String> rest = parts.subList(i, parts.size());
    // "namespaces/{ns}/{resource}..." is a namespaced resource; "namespaces" or "namespaces/{name}[/sub]" is
    // the Namespace resource itself
    boolean namespaceSubresource = rest.size() == 3 && (rest.get(2).equals("status") || rest.get(2).equals("finalize"));
    if (rest.get(0).equals("namespaces") && rest.size() >= 3 && !namespaceSubresource) {
      if (rest.size() > 5) return Optional.empty();
      return Optional.of(new RequestInfo(group, version, rest.get(1), rest.get(2), at(rest, 3), at(rest, 4)));
    }
    // nodes/{name}/proxy/{path...}: the path after proxy is the kubelet's, not part of the resource
    if (rest.size() > 3 && group.isEmpty() && rest.get(0).equals("nodes") && rest.get(2).equals("proxy")) {
      return Optional.of(new RequestInfo(group, version, null, "nodes", rest.get(1), "proxy"));
    }
    if (rest.size() > 3) return Optional.empty();
    return Optional.of(new RequestInfo(group, version, null, rest.get(0), at(rest, 1), at(rest, 2)));
  }

  private static String at(List<String> parts, int i) {
    return parts.size() > i ? parts.get(i) : null;
  }
}
