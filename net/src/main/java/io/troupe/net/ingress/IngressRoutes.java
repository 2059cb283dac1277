package io.troupe.net.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a request goes, from the Ingresses this proxy serves; immutable, rebuilt whenever an Ingress changes.
 *
 * <p>Matching follows the Ingress API: a rule's host is exact ({@code foo.example.com}) or a wildcard over exactly
 * one DNS label ({@code *.example.com} matches {@code a.example.com}, not {@code example.com} nor
 * {@code a.b.example.com}); a path is {@code Exact} (the whole path, case-sensitive) or {@code Prefix} (element by
 * element on {@code /}: {@code /foo} matches {@code /foo} and {@code /foo/bar}, not {@code /foobar}; a trailing
 * {@code /} is ignored); {@code ImplementationSpecific} is treated as {@code Prefix}. Among the paths that match,
 * the longest wins, and {@code Exact} beats {@code Prefix} at equal length.
 *
 * <p>Where the API leaves it open: rules of every served Ingress are merged. A request is first matched against
 * the rules of its exact host, then of the wildcard over its host, then of rules without a host; the first of
 * these with a matching path decides (so a more specific host always wins over a longer path of a less specific
 * one). When nothing matches, the {@code defaultBackend} of the oldest Ingress that has one takes it; else 404.
 * Two Ingresses with the same host, path and type: the older one (creationTimestamp, then namespace/name) wins.
 */
public final class IngressRoutes {
  /** The legacy annotation that named an Ingress's controller before {@code spec.ingressClassName}. */
  static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";

  public static final IngressRoutes EMPTY = new IngressRoutes(Map.of(), Map.of(), List.of(), null);

  /**
   * A Service port an Ingress sends to.
   *
   * @param ingress the Ingress it comes from, {@code namespace/name} (the metrics label)
   * @param service null for a {@code resource} backend, which this proxy does not serve (503)
   * @param portNumber 0 when the port is named
   * @param portName null when the port is a number
   */
  public record Backend(String ingress, String namespace, String service, int portNumber, String portName) {}

  enum PathType { EXACT, PREFIX }

  /** One path of a rule; {@code path} without its trailing {@code /} for a prefix (except the root). */
  record PathRule(PathType type, String path, Backend backend) {
    boolean matches(String requestPath) {
      if (type == PathType.EXACT) return requestPath.equals(path);
      if (path.equals("/")) return true;
      return requestPath.startsWith(path)
          && (requestPath.length() == path.length() || requestPath.charAt(path.length()) == '/');
    }
  }

  /** Longest path first; Exact before Prefix at equal length; otherwise the order given (oldest Ingress first). */
  private static final Comparator<PathRule> PRECEDENCE = Comparator
      .comparingInt((PathRule r) -> -r.path().length())
      .thenComparing(PathRule::type);

  private final Map<String, List<PathRule>> exactHosts;
  /** By the wildcard's suffix: {@code *.example.com} under {@code example.com}. */
  private final Map<String, List<PathRule>> wildcardHosts;
  private final List<PathRule> anyHost;
  private final Backend defaultBackend;

  private IngressRoutes(Map<String, List<PathRule>> exactHosts, Map<String, List<PathRule>> wildcardHosts,
      List<PathRule> anyHost, Backend defaultBackend) {
    this.exactHosts = exactHosts;
    this.wildcardHosts = wildcardHosts;
    this.anyHost = anyHost;
    this.defaultBackend = defaultBackend;
  }

  /** The routes of the served Ingresses among {@code ingresses} (any order). */
  public static IngressRoutes of(List<KubeObject> ingresses, String className) {
    Map<String, List<PathRule>> exact = new HashMap<>();
    Map<String, List<PathRule>> wildcard = new HashMap<>();
    List<PathRule> any = new ArrayList<>();
    Backend defaultBackend = null;
    for (KubeObject ingress : oldestFirst(ingresses)) {
      if (!served(ingress, className)) continue;
      String id = ingress.metadata().namespace() + "/" + ingress.metadata().name();
      JsonNode spec = ingress.spec();
      if (spec == null) continue;
      if (defaultBackend == null && spec.hasNonNull("defaultBackend")) {
        defaultBackend = backend(id, ingress.metadata().namespace(), spec.get("defaultBackend"));
      }
      for (JsonNode rule : spec.path("rules")) {
        String host = rule.path("host").asText("").toLowerCase(Locale.ROOT);
        List<PathRule> target = host.isEmpty() ? any
            : host.startsWith("*.") ? wildcard.computeIfAbsent(host.substring(2), h -> new ArrayList<>())
            : exact.computeIfAbsent(host, h -> new ArrayList<>());
        for (JsonNode path : rule.path("http").path("paths")) {
          target.add(pathRule(path, backend(id, ingress.metadata().namespace(), path.path("backend"))));
        }
      }
    }
    return new IngressRoutes(sorted(exact), sorted(wildcard), sortedList(any), defaultBackend);
  }

  /** Every backend a rule or default names. */
  public java.util.Set<Backend> backends() {
    java.util.Set<Backend> out = new java.util.HashSet<>();
    exactHosts.values().forEach(rules -> rules.forEach(r -> out.add(r.backend())));
    wildcardHosts.values().forEach(rules -> rules.forEach(r -> out.add(r.backend())));
    anyHost.forEach(r -> out.add(r.backend()));
    if (defaultBackend != null) out.add(defaultBackend);
    return out;
  }

  /** The backend for a request's host (its Host header, any port is ignored) and path; empty: 404. */
  public Optional<Backend> route(String host, String path) {
    String h = normalizeHost(host);
    String p = path == null || path.isEmpty() ? "/" : path;
    Backend found = first(exactHosts.get(h), p);
    if (found == null) {
      int dot = h.indexOf('.');
      if (dot > 0) found = first(wildcardHosts.get(h.substring(dot + 1)), p);
    }
    if (found == null) found = first(anyHost, p);
    return Optional.ofNullable(found != null ? found : defaultBackend);
  }

  /**
   * Whether this proxy serves an Ingress: its {@code spec.ingressClassName} (or, without one, the legacy
   * annotation) is {@code className}, or it names no class at all (there is no IngressClass kind here to mark a
   * default, so an Ingress without a class is ours).
   */
  public static boolean served(KubeObject ingress, String className) {
    JsonNode spec = ingress.spec();
    String named = spec == null ? "" : spec.path("ingressClassName").asText("");
    if (named.isEmpty()) named = ingress.metadata().annotations().getOrDefault(CLASS_ANNOTATION, "");
    return named.isEmpty() || named.equals(className);
  }

  /** Oldest first by creationTimestamp, then namespace and name: the order conflicts are settled in. */
  static List<KubeObject> oldestFirst(List<KubeObject> ingresses) {
    List<KubeObject> out = new ArrayList<>(ingresses);
    out.sort(Comparator
        .comparing((KubeObject i) -> i.metadata().creationTimestamp() == null ? "" : i.metadata().creationTimestamp())
        .thenComparing(i -> i.metadata().namespace() == null ? "" : i.metadata().namespace())
        .thenComparing(i -> i.metadata().name()));
    return out;
  }

  /** A Host header's host: lower case, without the port or a trailing dot. */
  static String normalizeHost(String host) {
    if (host == null) return "";
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    if (colon >= 0) h = h.substring(0, colon);
    if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
    return h;
  }

  private static PathRule pathRule(JsonNode path, Backend backend) {
    String type = path.path("pathType").asText("Prefix");
    String value = path.path("path").asText("");
    if (value.isEmpty()) value = "/";
    if (type.equals("Exact")) return new PathRule(PathType.EXACT, value, backend);
    // Prefix and ImplementationSpecific: element-wise, a trailing slash ignored
    while (value.length() > 1 && value.endsWith("/")) value = value.substring(0, value.length() - 1);
    return new PathRule(PathType.PREFIX, value, backend);
  }

  private static Backend backend(String ingress, String namespace, JsonNode backend) {
    JsonNode service = backend.path("service");
    if (service.isMissingNode() || service.isNull()) return new Backend(ingress, namespace, null, 0, null);
    JsonNode port = service.path("port");
    String portName = port.path("name").asText("");
    return new Backend(ingress, namespace, service.path("name").asText(), port.path("number").asInt(0),
        portName.isEmpty() ? null : portName);
  }

  private static Backend first(List<PathRule> rules, String path) {
    if (rules == null) return null;
    for (PathRule r : rules) {
      if (r.matches(path)) return r.backend();
    }
    return null;
  }

  private static Map<String, List<PathRule>> sorted(Map<String, List<PathRule>> byHost) {
    Map<String, List<PathRule>> out = new HashMap<>();
    byHost.forEach((host, rules) -> out.put(host, sortedList(rules)));
    return Map.copyOf(out);
  }

  private static List<PathRule> sortedList(List<PathRule> rules) {
    List<PathRule> out = new ArrayList<>(rules);
    out.sort(PRECEDENCE); // stable: among equals, the oldest Ingress stays first
    return List.copyOf(out);
  }
}
