package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.integer;
import static io.troupe.control.api.validation.JsonFields.member;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The probes of a container, as Kubernetes' validateLivenessProbe, validateReadinessProbe, validateStartupProbe and
 * validateHandler check them, on an object whose defaults are filled (timeoutSeconds 1, periodSeconds 10,
 * successThreshold 1, failureThreshold 3, httpGet path "/" and scheme HTTP): so zero means "the default" and only
 * negative values are refused.
 *
 * <p>Two rules are Troupe's own, because its node agent could not carry the probe out: a {@code grpc} handler is
 * refused, and a named {@code httpGet} or {@code tcpSocket} port must be the name of one of the container's ports
 * (the kubelet resolves a name against the container's ports, and Kubernetes would accept a name that matches none
 * and fail every probe at run time).
 */
final class ProbeValidation {
  static final List<String> PROBES = List.of("livenessProbe", "readinessProbe", "startupProbe");
  static final List<String> HANDLERS = List.of("exec", "httpGet", "tcpSocket", "grpc");
  static final List<String> SCHEMES = List.of("HTTP", "HTTPS");
  static final String INIT_CONTAINER_FORBIDDEN = "may not be set for init containers without restartPolicy=Always";
  static final String NEGATIVE = "must be greater than or equal to 0";
  static final String UNKNOWN_PORT_NAME = "must be a port number or the name of one of the container's ports";
  static final String GRPC_UNSUPPORTED =
      "gRPC probes are not supported by Troupe's node agent; use exec, httpGet or tcpSocket";
  private static final Pattern HTTP_HEADER_NAME = Pattern.compile("[-A-Za-z0-9]+");
  private static final String HTTP_HEADER_NAME_MESSAGE = NameSyntax.regexError(
      "a valid HTTP header must consist of alphanumeric characters or '-'", "[-A-Za-z0-9]+", "X-Header-Name");

  private ProbeValidation() {
  }

  /**
   * The probes of the container at {@code path}. An init container may have probes only as a sidecar
   * ({@code restartPolicy: Always}).
   */
  static void validateProbes(ObjectNode container, String path, boolean initContainer, List<Cause> causes) {
    boolean sidecar = initContainer && "Always".equals(container.path("restartPolicy").asText(null));
    Set<String> portNames = portNames(container);
    for (String kind : PROBES) {
      String at = path + "." + kind;
      ObjectNode probe = JsonFields.object(container, kind, at, causes);
      if (probe == null) {
        continue;
      }
      if (initContainer && !sidecar) {
        causes.add(Cause.forbidden(at, INIT_CONTAINER_FORBIDDEN));
        continue;
      }
      validateProbe(probe, at, portNames, causes);
      if (kind.equals("readinessProbe")) {
        if (member(probe, "terminationGracePeriodSeconds") != null) {
          causes.add(Cause.invalid(at + ".terminationGracePeriodSeconds",
              member(probe, "terminationGracePeriodSeconds"), "must not be set for readinessProbes"));
        }
      } else {
        JsonNode success = member(probe, "successThreshold");
        // 0 is unset: it is defaulted to 1
        if (success != null && success.isIntegralNumber() && success.asLong() != 0 && success.asLong() != 1) {
          causes.add(Cause.invalid(at + ".successThreshold", success.asLong(), "must be 1"));
        }
      }
    }
  }

  private static void validateProbe(ObjectNode probe, String path, Set<String> portNames, List<Cause> causes) {
    int handlers = 0;
    for (String handler : HANDLERS) {
      String at = path + "." + handler;
      ObjectNode action = JsonFields.object(probe, handler, at, causes);
      if (action == null) {
        continue;
      }
      if (handlers > 0) {
        causes.add(Cause.forbidden(at, "may not specify more than 1 handler type"));
        continue;
      }
      handlers++;
      switch (handler) {
        case "exec" -> validateExec(action, at, causes);
        case "httpGet" -> validateHttpGet(action, at, portNames, causes);
        case "tcpSocket" -> validatePort(action, at + ".port", portNames, causes);
        default -> causes.add(Cause.forbidden(at, GRPC_UNSUPPORTED));
      }
    }
    if (handlers == 0) {
      causes.add(Cause.required(path, "must specify a handler type"));
    }
    for (String field : List.of("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
        "failureThreshold")) {
      Long value = integer(probe, field, path + "." + field, causes);
      if (value != null && value < 0) {
        causes.add(Cause.invalid(path + "." + field, value, NEGATIVE));
      }
    }
    Long grace = integer(probe, "terminationGracePeriodSeconds", path + ".terminationGracePeriodSeconds", causes);
    if (grace != null && grace <= 0) {
      causes.add(Cause.invalid(path + ".terminationGracePeriodSeconds", grace, "must be greater than 0"));
    }
  }

  private static void validateExec(ObjectNode exec, String path, List<Cause> causes) {
    JsonNode given = member(exec, "command");
    ArrayNode command = JsonFields.array(exec, "command", path + ".command", causes);
    if (given == null || (command != null && command.isEmpty())) {
      causes.add(Cause.required(path + ".command", ""));
    }
  }

  private static void validateHttpGet(ObjectNode http, String path, Set<String> portNames, List<Cause> causes) {
    validatePort(http, path + ".port", portNames, causes);
    String scheme = text(http, "scheme", path + ".scheme", causes);
    // an empty scheme is defaulted to HTTP
    if (scheme != null && !scheme.isEmpty() && !SCHEMES.contains(scheme)) {
      causes.add(Cause.notSupported(path + ".scheme", scheme, SCHEMES));
    }
    for (ObjectNode header : objects(http, "httpHeaders", path + ".httpHeaders", causes)) {
      if (header == null) {
        continue;
      }
      String name = JsonFields.textOrEmpty(header, "name", path + ".httpHeaders", causes);
      if (!HTTP_HEADER_NAME.matcher(name).matches()) {
        causes.add(Cause.invalid(path + ".httpHeaders", name, HTTP_HEADER_NAME_MESSAGE));
      }
    }
  }

  /** ValidatePortNumOrName, and a name must be one of the container's ports. An absent port is 0. */
  private static void validatePort(ObjectNode action, String path, Set<String> portNames, List<Cause> causes) {
    JsonNode port = member(action, "port");
    if (port == null || port.isIntegralNumber()) {
      long number = port == null ? 0 : port.asLong();
      for (String message : NameSyntax.isValidPortNumber(number)) {
        causes.add(Cause.invalid(path, number, message));
      }
    } else if (port.isTextual()) {
      List<String> messages = NameSyntax.isValidPortName(port.textValue());
      for (String message : messages) {
        causes.add(Cause.invalid(path, port.textValue(), message));
      }
      if (messages.isEmpty() && !portNames.contains(port.textValue())) {
        causes.add(Cause.invalid(path, port.textValue(), UNKNOWN_PORT_NAME));
      }
    } else {
      causes.add(Cause.invalid(path, port, "must be an integer or a string"));
    }
  }

  private static Set<String> portNames(ObjectNode container) {
    Set<String> names = new HashSet<>();
    for (JsonNode port : container.path("ports")) {
      if (port.path("name").isTextual()) {
        names.add(port.path("name").textValue());
      }
    }
    return names;
  }
}
