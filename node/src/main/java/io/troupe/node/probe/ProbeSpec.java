package io.troupe.node.probe;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One probe of a container ({@code startupProbe}, {@code livenessProbe} or {@code readinessProbe}), read from
 * the container's JSON with Kubernetes' defaults: {@code initialDelaySeconds} 0, {@code periodSeconds} 10,
 * {@code timeoutSeconds} 1, {@code successThreshold} 1, {@code failureThreshold} 3 (a value of 0 or less
 * means the default, as the API server's defaulting reads it).
 *
 * <p>Reading never fails: a probe Troupe cannot run (a named port the container does not declare, a gRPC
 * probe, no handler) gets the {@link Handler.Invalid} handler, which fails every time with its reason, as the
 * kubelet's probe errors do.
 *
 * @param terminationGracePeriodSeconds the probe's own grace period for the kill that its failure causes
 *     (liveness and startup), or null to use the pod's
 */
public record ProbeSpec(ProbeType type, Handler handler, int initialDelaySeconds, int periodSeconds,
    int timeoutSeconds, int successThreshold, int failureThreshold, Long terminationGracePeriodSeconds) {

  public ProbeSpec {
    if (type == null || handler == null) throw new IllegalArgumentException("type and handler are required");
    if (initialDelaySeconds < 0 || periodSeconds < 1 || timeoutSeconds < 1 || successThreshold < 1
        || failureThreshold < 1) {
      throw new IllegalArgumentException("probe timings must be positive (initialDelaySeconds may be 0)");
    }
  }

  /** How a probe checks the container. */
  public sealed interface Handler {}

  /** Runs {@code command} in the container; exit 0 is success. */
  public record Exec(List<String> command) implements Handler {
    public Exec {
      command = List.copyOf(command);
    }
  }

  /**
   * An HTTP GET to {@code scheme://host:port/path}; a status from 200 to 399 is success.
   *
   * @param scheme {@code HTTP} or {@code HTTPS}
   * @param host the host to connect to, or null for the pod's IP
   * @param path starts with {@code /}; may carry a query
   */
  public record HttpGet(String scheme, String host, String path, int port, List<Header> headers)
      implements Handler {
    public HttpGet {
      headers = List.copyOf(headers);
    }
  }

  /** One of {@code httpGet.httpHeaders}; a {@code Host} header sets the request's Host. */
  public record Header(String name, String value) {}

  /**
   * A TCP connection to {@code host:port}; success once it is established.
   *
   * @param host the host to connect to, or null for the pod's IP
   */
  public record TcpSocket(String host, int port) implements Handler {}

  /** A probe Troupe cannot run; it fails every time with {@code reason}. */
  public record Invalid(String reason) implements Handler {}

  public Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }

  public Duration period() {
    return Duration.ofSeconds(periodSeconds);
  }

  public Duration initialDelay() {
    return Duration.ofSeconds(initialDelaySeconds);
  }

  /** The container's probes that are set, in the order startup, liveness, readiness. */
  public static List<ProbeSpec> forContainer(JsonNode container) {
    List<ProbeSpec> probes = new ArrayList<>(3);
    for (ProbeType type : ProbeType.values()) {
      of(type, container).ifPresent(probes::add);
    }
    return List.copyOf(probes);
  }

  /** The container's probe of this type, if it has one. */
  public static Optional<ProbeSpec> of(ProbeType type, JsonNode container) {
    JsonNode probe = container == null ? null : container.get(type.field());
    if (probe == null || !probe.isObject()) return Optional.empty();
    return Optional.of(parse(type, probe, container));
  }

  /**
   * Reads one probe; {@code container} resolves a named port ({@code port: http}) against its
   * {@code ports[].name}.
   */
  public static ProbeSpec parse(ProbeType type, JsonNode probe, JsonNode container) {
    Long grace = probe.path("terminationGracePeriodSeconds").isIntegralNumber()
        ? probe.get("terminationGracePeriodSeconds").asLong() : null;
    return new ProbeSpec(type, handler(probe, container),
        Math.max(0, probe.path("initialDelaySeconds").asInt(0)),
        positiveOr(probe, "periodSeconds", 10),
        positiveOr(probe, "timeoutSeconds", 1),
        positiveOr(probe, "successThreshold", 1),
        positiveOr(probe, "failureThreshold", 3),
        grace);
  }

  private static int positiveOr(JsonNode probe, String field, int fallback) {
    int value = probe.path(field).asInt(0);
    return value > 0 ? value : fallback;
  }

  private static Handler handler(JsonNode probe, JsonNode container) {
    JsonNode exec = probe.get("exec");
    if (exec != null && exec.isObject()) {
      List<String> command = new ArrayList<>();
      exec.path("command").forEach(part -> command.add(part.asText()));
      return new Exec(command);
    }
    JsonNode http = probe.get("httpGet");
    if (http != null && http.isObject()) return httpGet(http, container);
    JsonNode tcp = probe.get("tcpSocket");
    if (tcp != null && tcp.isObject()) {
      Port port = port(tcp.get("port"), container);
      if (port.invalid != null) return new Invalid(port.invalid);
      return new TcpSocket(hostOrNull(tcp), port.number);
    }
    if (probe.has("grpc")) return new Invalid("gRPC probes are not supported by Troupe");
    return new Invalid("the probe has no handler: exec, httpGet or tcpSocket");
  }

  private static Handler httpGet(JsonNode http, JsonNode container) {
    String scheme = http.path("scheme").asText("");
    scheme = scheme.isEmpty() ? "HTTP" : scheme.toUpperCase(Locale.ROOT);
    if (!scheme.equals("HTTP") && !scheme.equals("HTTPS")) {
      return new Invalid("unsupported scheme: " + http.path("scheme").asText());
    }
    Port port = port(http.get("port"), container);
    if (port.invalid != null) return new Invalid(port.invalid);
    String path = http.path("path").asText("");
    if (!path.startsWith("/")) path = "/" + path;
    List<Header> headers = new ArrayList<>();
    for (JsonNode h : http.path("httpHeaders")) {
      String name = h.path("name").asText("");
      if (!name.isEmpty()) headers.add(new Header(name, h.path("value").asText("")));
    }
    return new HttpGet(scheme, hostOrNull(http), path, port.number, headers);
  }

  private static String hostOrNull(JsonNode action) {
    String host = action.path("host").asText("");
    return host.isEmpty() ? null : host;
  }

  /** A port number, or why there is none. */
  private record Port(int number, String invalid) {}

  /** As the kubelet's {@code ResolveContainerPort}: a number, a name of the container's ports, or a number in a string. */
  private static Port port(JsonNode value, JsonNode container) {
    if (value == null || value.isNull() || value.isMissingNode()) return new Port(0, "the probe has no port");
    int number;
    if (value.isIntegralNumber()) {
      number = value.asInt();
    } else {
      String name = value.asText();
      Integer named = namedPort(container, name);
      if (named != null) {
        number = named;
      } else {
        try {
          number = Integer.parseInt(name);
        } catch (NumberFormatException e) {
          return new Port(0, "port " + name + " not found in the container's ports");
        }
      }
    }
    if (number < 1 || number > 65535) return new Port(0, "invalid port number: " + number);
    return new Port(number, null);
  }

  private static Integer namedPort(JsonNode container, String name) {
    if (container == null) return null;
    for (JsonNode p : container.path("ports")) {
      if (name.equals(p.path("name").asText(null)) && p.path("containerPort").isIntegralNumber()) {
        return p.get("containerPort").asInt();
      }
    }
    return null;
  }
}
