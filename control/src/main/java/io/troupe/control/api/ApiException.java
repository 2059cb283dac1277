package io.troupe.control.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.validation.Cause;
import io.troupe.persistence.model.Json;
import java.util.List;

/**
 * A request the API refuses, carried to the edge and answered as a Kubernetes {@code Status} with its code and
 * reason. Never a stack trace: the message is written for the person who sent the request.
 */
public final class ApiException extends RuntimeException {
  private final int code;
  private final String reason;
  private final ObjectNode details;

  public ApiException(int code, String reason, String message, ObjectNode details) {
    super(message, null, false, false);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  /** The {@code Status} object, as Kubernetes writes it. */
  public ObjectNode status() {
    ObjectNode s = Json.object();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put("message", getMessage());
    s.put("reason", reason);
    if (details != null) s.set("details", details);
    s.put("code", code);
    return s;
  }

  private static ObjectNode details(String resource, String group, String name) {
    ObjectNode d = Json.object();
    if (name != null) d.put("name", name);
    if (group != null && !group.isEmpty()) d.put("group", group);
    if (resource != null) d.put("kind", resource);
    return d;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message, null);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "Unauthorized", message, null);
  }

  public static ApiException forbidden(String resource, String group, String name, String message) {
    return new ApiException(403, "Forbidden", message, details(resource, group, name));
  }

  public static ApiException notFound(String resource, String group, String name) {
    String what = group == null || group.isEmpty() ? resource : resource + "." + group;
    return new ApiException(404, "NotFound", what + " \"" + name + "\" not found", details(resource, group, name));
  }

  public static ApiException pathNotFound(String path) {
    return new ApiException(404, "NotFound", "the server could not find the requested resource (" + path + ")",
        null);
  }

  public static ApiException methodNotAllowed(String method, String path) {
    return new ApiException(405, "MethodNotAllowed",
        "the server does not allow this method on the requested resource (" + method + " " + path + ")", null);
  }

  public static ApiException notAcceptable(String message) {
    return new ApiException(406, "NotAcceptable", message, null);
  }

  public static ApiException alreadyExists(String resource, String group, String name) {
    String what = group == null || group.isEmpty() ? resource : resource + "." + group;
    return new ApiException(409, "AlreadyExists", what + " \"" + name + "\" already exists",
        details(resource, group, name));
  }

  public static ApiException conflict(String resource, String group, String name, String message) {
    return new ApiException(409, "Conflict", message, details(resource, group, name));
  }

  public static ApiException gone(String message) {
    return new ApiException(410, "Expired", message, null);
  }

  public static ApiException tooLarge(String message) {
    return new ApiException(413, "RequestEntityTooLarge", message, null);
  }

  public static ApiException unsupportedMediaType(String contentType) {
    return new ApiException(415, "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
            + "application/json, application/yaml"
            + (contentType == null ? "" : " (got " + contentType + ")"),
        null);
  }

  public static ApiException invalid(String kind, String group, String name, List<Cause> causes) {
    ObjectNode d = details(kind, group, name);
    ArrayNode list = d.putArray("causes");
    StringBuilder message = new StringBuilder();
    for (Cause c : causes) {
      ObjectNode o = list.addObject();
      o.put("reason", c.reason());
      o.put("message", c.message());
      o.put("field", c.field());
      if (message.length() > 0) message.append(", ");
      message.append(c.field()).append(": ").append(c.message());
    }
    // qualified by its group, as Kubernetes words it: Deployment.apps "web" is invalid
    String qualified = group == null || group.isEmpty() ? kind : kind + "." + group;
    String text = qualified + " \"" + (name == null ? "" : name) + "\" is invalid: "
        + (causes.size() == 1 ? message : "[" + message + "]");
    return new ApiException(422, "Invalid", text, d);
  }

  /**
   * 429, as Kubernetes' API Priority and Fairness answers a request it sheds: the Status carries
   * {@code details.retryAfterSeconds} and the response a {@code Retry-After} header.
   */
  public static ApiException tooManyRequests(String message, long retryAfterSeconds) {
    ObjectNode d = Json.object();
    d.put("retryAfterSeconds", retryAfterSeconds);
    return new ApiException(429, "TooManyRequests", message, d);
  }

  /** The seconds a client should wait before trying again, when the refusal says (429). */
  public java.util.OptionalLong retryAfterSeconds() {
    return details != null && details.has("retryAfterSeconds")
        ? java.util.OptionalLong.of(details.get("retryAfterSeconds").asLong()) : java.util.OptionalLong.empty();
  }

  public static ApiException internal(String message) {
    return new ApiException(500, "InternalError", "Internal error occurred: " + message, null);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, "ServiceUnavailable", message, null);
  }

  public static ApiException timeout(String message) {
    return new ApiException(504, "Timeout", message, null);
  }
}
