package io.troupe.cli.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A Kubernetes Status the server answered with, printed as kubectl prints it. */
public final class ApiError extends CliException {
  private final int code;
  private final String reason;

  public ApiError(int code, JsonNode status, String body) {
    super(message(code, status, body));
    this.code = code;
    this.reason = status == null ? "" : status.path("reason").asText("");
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public boolean notFound() {
    return code == 404;
  }

  private static String message(int code, JsonNode status, String body) {
    if (status == null || !"Status".equals(status.path("kind").asText())) {
      return "Error from server: " + (body == null || body.isBlank() ? "the server answered " + code : body.strip());
    }
    String reason = status.path("reason").asText("");
    String message = status.path("message").asText("");
    // kubectl's words for a 401
    if (code == 401) return "error: You must be logged in to the server (" + (message.isEmpty() ? reason : message) + ")";
    return "Error from server" + (reason.isEmpty() ? "" : " (" + reason + ")") + ": " + message;
  }
}
