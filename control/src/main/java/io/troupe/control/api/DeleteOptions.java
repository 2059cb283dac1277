package io.troupe.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.Materializer;

/**
 * A delete's options, from its body (a DeleteOptions object, optional) or its query: preconditions, the
 * propagation policy and the grace period.
 *
 * <p>Propagation, as in Kubernetes: Background deletes the object at once and the garbage collector deletes
 * its dependents after; Foreground and Orphan mark it with the finalizer {@code foregroundDeletion} or
 * {@code orphan}, and the garbage collector removes it once the dependents are deleted or released.
 *
 * <p>{@code gracePeriodSeconds}: null when not given (the kind's default: a pod's
 * {@code spec.terminationGracePeriodSeconds}); only pods honour it, and the store decides what it means for one
 * ({@link io.troupe.persistence.entity.ResourceEntity.Delete}). A negative value is not refused: Kubernetes treats
 * it as 1 second on the delete path, and so does the store.
 */
record DeleteOptions(String uid, String resourceVersion, String propagationPolicy, Long gracePeriodSeconds) {

  /** The finalizers the propagation policy adds as the object is marked for deletion. */
  java.util.List<String> finalizers() {
    if ("Orphan".equals(propagationPolicy)) return java.util.List.of("orphan");
    if ("Foreground".equals(propagationPolicy)) return java.util.List.of("foregroundDeletion");
    return java.util.List.of();
  }

  static final Set<String> POLICIES = Set.of("Orphan", "Background", "Foreground");
  /** As in Kubernetes, these namespaces may not be deleted. */
  static final Set<String> PROTECTED_NAMESPACES = Set.of("default", "kube-system", "kube-public");

  static CompletionStage<DeleteOptions> read(ResourceRequest r, Materializer materializer) {
    boolean hasBody = r.http().entity().isKnownEmpty() ? false : true;
    CompletionStage<JsonNode> body = hasBody
        ? RequestBody.text(r.http(), materializer)
            .thenApply(text -> text.isBlank() ? null : RequestBody.parse(text, false))
        : CompletableFuture.completedFuture(null);
    return body.thenApply(options -> {
      if (r.param("dryRun").isPresent() || (options != null && options.has("dryRun"))) {
        throw ApiException.badRequest("dryRun is not supported");
      }
      String policy = r.param("propagationPolicy")
          .orElse(options == null ? null : options.path("propagationPolicy").asText(null));
      if (policy != null && !POLICIES.contains(policy)) {
        throw ApiException.badRequest("propagationPolicy: Unsupported value: \"" + policy
            + "\": supported values: \"Background\", \"Foreground\", \"Orphan\"");
      }
      JsonNode pre = options == null ? null : options.get("preconditions");
      String uid = pre == null ? null : pre.path("uid").asText(null);
      String rv = pre == null ? null : pre.path("resourceVersion").asText(null);
      Long grace = r.param("gracePeriodSeconds").map(DeleteOptions::seconds)
          .orElseGet(() -> options == null ? null : seconds(options.get("gracePeriodSeconds")));
      return new DeleteOptions(uid, rv, policy, grace);
    });
  }

  private static Long seconds(String query) {
    try {
      return Long.parseLong(query.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("gracePeriodSeconds: Invalid value: \"" + query
          + "\": must be an integer number of seconds");
    }
  }

  private static Long seconds(JsonNode value) {
    if (value == null || value.isNull()) return null;
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw ApiException.badRequest("gracePeriodSeconds: Invalid value: " + value
          + ": must be an integer number of seconds");
    }
    return value.asLong();
  }
}
