package io.troupe.persistence.entity;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * What a delete does to an object, decided as Kubernetes' API server decides it (rest.BeforeDelete, the pod
 * strategy's CheckGracefulDelete, and the generic store's handling of finalizers). Pure: the time of the request
 * travels in the command.
 *
 * <ul>
 *   <li>Only pods honour a grace period. A pod that is not bound to a node, or whose phase is Succeeded or Failed,
 *       gets 0; otherwise the requested grace, or {@code spec.terminationGracePeriodSeconds} when none was asked
 *       for (0 when that is missing too). A negative grace counts as 1 second.
 *   <li>Grace &gt; 0: the object is only marked ({@code deletionTimestamp} = now + grace,
 *       {@code deletionGracePeriodSeconds} = grace); its node agent removes it with grace 0 once its containers
 *       are gone.
 *   <li>A delete of an object already marked may only shorten its grace (the new deletionTimestamp is the old
 *       one minus the old grace plus the new one); an equal or longer one changes nothing.
 *   <li>Grace 0 removes the object, unless finalizers hold it: then it is marked and stays until they are gone.
 * </ul>
 */
final class Deletion {
  private Deletion() {}

  /** What the entity persists and answers. */
  sealed interface Outcome {
    KubeObject object();
  }

  /** The object is gone; this is its last state, marked. */
  record Remove(KubeObject object) implements Outcome {}

  /** The object stays, marked for deletion (the first mark, or a shorter grace). */
  record Mark(KubeObject object) implements Outcome {}

  /** Nothing changes: a deletion is already pending with the same or a shorter grace. */
  record Unchanged(KubeObject object) implements Outcome {}

  static Outcome of(KubeObject current, String timestamp, Long requestedGrace, List<String> addFinalizers) {
    ObjectMeta meta = current.metadata();
    Long requested = requestedGrace != null && requestedGrace < 0 ? Long.valueOf(1) : requestedGrace;
    if (meta.isDeleting()) return again(current, requested);

    List<String> finalizers = new ArrayList<>(meta.finalizers());
    for (String f : addFinalizers) if (!finalizers.contains(f)) finalizers.add(f);
    long grace = isPod(current) ? podGrace(current, requested) : 0;
    ObjectMeta marked = withFinalizers(meta, finalizers).withDeletion(plusSeconds(timestamp, grace), grace);
    KubeObject next = current.withMetadata(marked);
    if (grace == 0 && !isHeld(next)) return new Remove(next);
    // As in Kubernetes, the first mark bumps the generation: controllers of the object see it change.
    return new Mark(next.withMetadata(marked.withGeneration(generation(current) + 1)));
  }

  /** A delete of an object already marked: it may only shorten a pod's grace period. */
  private static Outcome again(KubeObject current, Long requested) {
    ObjectMeta meta = current.metadata();
    Long pending = meta.deletionGracePeriodSeconds();
    if (!isPod(current) || pending == null || pending == 0) {
      // Held by finalizers (or, for a pod, already at grace 0): the store keeps it until they are gone. An
      // object marked but held by nothing is one whose removal did not happen: remove it now.
      return isHeld(current) ? new Unchanged(current) : new Remove(current);
    }
    if (requested == null || requested >= pending) return new Unchanged(current);
    String shortened = plusSeconds(meta.deletionTimestamp(), requested - pending);
    KubeObject next = current.withMetadata(meta.withDeletion(shortened, requested));
    return requested == 0 && !isHeld(next) ? new Remove(next) : new Mark(next);
  }

  /**
   * Whether a replace that leaves the object without finalizers removes it: only when it was marked with no grace
   * period left to wait for (Kubernetes' shouldDeleteDuringUpdate). A pod still within its grace stays until its
   * node agent deletes it.
   */
  static boolean removesOnRelease(KubeObject current, KubeObject next) {
    Long grace = current.metadata().deletionGracePeriodSeconds();
    return current.metadata().isDeleting() && !isHeld(next) && (grace == null || grace == 0);
  }

  /**
   * Whether finalizers hold the object: its metadata's, or for a Namespace its {@code spec.finalizers}
   * ("kubernetes": the namespace controller empties it first), as in Kubernetes.
   */
  static boolean isHeld(KubeObject o) {
    if (!o.metadata().finalizers().isEmpty()) return true;
    JsonNode f = o.spec() == null ? null : o.spec().get("finalizers");
    return "Namespace".equals(o.kind()) && f != null && f.isArray() && !f.isEmpty();
  }

  /** The pod strategy's CheckGracefulDelete. */
  private static long podGrace(KubeObject pod, Long requested) {
    String node = Json.text(pod.body(), "spec.nodeName");
    String phase = Json.text(pod.body(), "status.phase");
    if (node == null || node.isEmpty() || "Succeeded".equals(phase) || "Failed".equals(phase)) return 0;
    long grace = requested != null ? requested : terminationGracePeriod(pod);
    return grace < 0 ? 1 : grace;
  }

  private static long terminationGracePeriod(KubeObject pod) {
    JsonNode value = pod.spec() == null ? null : pod.spec().get("terminationGracePeriodSeconds");
    return value != null && value.canConvertToLong() ? value.asLong() : 0;
  }

  private static boolean isPod(KubeObject o) {
    return "Pod".equals(o.kind());
  }

  static long generation(KubeObject o) {
    Long g = o.metadata().generation();
    return g == null ? 1 : g;
  }

  /** An RFC 3339 time moved by {@code seconds}, in whole seconds as Kubernetes writes it. */
  private static String plusSeconds(String timestamp, long seconds) {
    if (seconds == 0 || timestamp == null) return timestamp;
    try {
      return Instant.parse(timestamp).plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      return timestamp;
    }
  }

  private static ObjectMeta withFinalizers(ObjectMeta m, List<String> finalizers) {
    return new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.uid(), m.resourceVersion(), m.generation(),
        m.creationTimestamp(), m.deletionTimestamp(), m.deletionGracePeriodSeconds(), m.labels(), m.annotations(),
        m.ownerReferences(), finalizers);
  }
}
