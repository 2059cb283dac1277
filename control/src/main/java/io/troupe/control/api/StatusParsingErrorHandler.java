package io.troupe.control.api;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers a request Pekko HTTP cannot parse (a malformed request line or header, a URI or headers over the
 * parser's limits) with a {@code Status}, as every other refusal of the API, instead of Pekko's plain text.
 * Kubernetes' Go server answers these in plain text itself; a Status is what Troupe's clients parse. Set for the
 * API's listener only ({@code pekko.http.server.parsing.error-handler} in {@link ApiServer#bind}).
 */
public final class StatusParsingErrorHandler extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    // what cannot be parsed is the client's mistake, never a 5xx: an unknown method (501 for Pekko) is a 405, as
    // Kubernetes answers a method it does not serve; an unsupported HTTP version (505) a 400
    int parsed = status.intValue();
    int code = parsed == 501 ? 405 : parsed >= 500 ? 400 : parsed;
    log.debug("unparseable request: {} {}", code, info.formatPretty());
    String message = info.summary().isEmpty() ? status.reason() : info.summary();
    return ApiResponses.status(new ApiException(code, reason(code, status.reason()), message, null));
  }

  /** Kubernetes' reason where it has one, else the HTTP reason phrase in one word (Request-URI Too Long). */
  private static String reason(int code, String phrase) {
    if (code == 400) return "BadRequest";
    if (code == 405) return "MethodNotAllowed";
    if (code == 413) return "RequestEntityTooLarge";
    return phrase.replaceAll("[^A-Za-z]", "");
  }
}
