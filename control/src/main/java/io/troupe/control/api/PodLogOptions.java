package io.troupe.control.api;

import io.troupe.control.api.validation.Cause;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.japi.Pair;

/**
 * The query of {@code GET /api/v1/namespaces/{ns}/pods/{name}/log}, as Kubernetes' PodLogOptions. A value that does
 * not parse is a 400 with Go's parse error, as the API server decodes query parameters; values that parse but break
 * a rule are a 422 Invalid (ValidatePodLogOptions). {@code pretty} and unknown parameters are ignored.
 *
 * @param container the container's name, or null for the pod's only container
 * @param sinceTime RFC 3339, normalised to UTC seconds; at most one of sinceSeconds and sinceTime
 */
record PodLogOptions(String container, boolean follow, boolean previous, boolean timestamps, Long tailLines,
    Long sinceSeconds, String sinceTime, Long limitBytes) {

  /** Reads and validates the options of a log request for pod {@code podName}. */
  static PodLogOptions read(Query query, String podName) {
    PodLogOptions options = new PodLogOptions(query.get("container").filter(c -> !c.isEmpty()).orElse(null),
        flag(query, "follow"), flag(query, "previous"), flag(query, "timestamps"), integer(query, "tailLines"),
        integer(query, "sinceSeconds"), time(query, "sinceTime"), integer(query, "limitBytes"));
    List<Cause> causes = options.violations();
    if (!causes.isEmpty()) throw ApiException.invalid("PodLogOptions", "", podName, causes);
    return options;
  }

  /** Kubernetes' ValidatePodLogOptions, with its messages. */
  private List<Cause> violations() {
    List<Cause> causes = new ArrayList<>();
    if (tailLines != null && tailLines < 0) {
      causes.add(Cause.invalid("tailLines", tailLines, "must be greater than or equal to 0"));
    }
    if (limitBytes != null && limitBytes < 1) {
      causes.add(Cause.invalid("limitBytes", limitBytes, "must be greater than 0"));
    }
    if (sinceSeconds != null && sinceTime != null) {
      causes.add(Cause.forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
    } else if (sinceSeconds != null && sinceSeconds < 1) {
      causes.add(Cause.invalid("sinceSeconds", sinceSeconds, "must be greater than 0"));
    }
    return causes;
  }

  /** The query the kubelet's {@code /containerLogs} endpoint gets, as Kubernetes' LogLocation writes it. */
  Query kubeletQuery() {
    List<Pair<String, String>> params = new ArrayList<>();
    if (follow) params.add(Pair.create("follow", "true"));
    if (previous) params.add(Pair.create("previous", "true"));
    if (timestamps) params.add(Pair.create("timestamps", "true"));
    if (sinceSeconds != null) params.add(Pair.create("sinceSeconds", sinceSeconds.toString()));
    if (sinceTime != null) params.add(Pair.create("sinceTime", sinceTime));
    if (tailLines != null) params.add(Pair.create("tailLines", tailLines.toString()));
    if (limitBytes != null) params.add(Pair.create("limitBytes", limitBytes.toString()));
    return Query.create(params);
  }

  /** As Kubernetes decodes a boolean query parameter: present and neither "0" nor "false" is true. */
  private static boolean flag(Query query, String name) {
    Optional<String> value = query.get(name);
    return value.isPresent() && !value.get().equals("0") && !value.get().equalsIgnoreCase("false");
  }

  private static Long integer(Query query, String name) {
    Optional<String> value = query.get(name);
    if (value.isEmpty()) return null;
    String text = value.get();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      String why = text.matches("[+-]?[0-9]+") ? "value out of range" : "invalid syntax";
      throw ApiException.badRequest("strconv.ParseInt: parsing " + Cause.goQuote(text) + ": " + why);
    }
  }

  private static String time(Query query, String name) {
    Optional<String> value = query.get(name);
    if (value.isEmpty()) return null;
    try {
      Instant at = OffsetDateTime.parse(value.get()).toInstant();
      return at.truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest("parsing time " + Cause.goQuote(value.get())
          + " as \"2006-01-02T15:04:05Z07:00\": " + name + " must be an RFC 3339 time");
    }
  }
}
