package io.troupe.persistence.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * metadata of every object, as in Kubernetes' ObjectMeta. Timestamps are RFC 3339 strings in UTC, as on
 * the wire. Fields Troupe does not keep (managedFields, selfLink) are dropped on input, as the Kubernetes
 * API server drops selfLink.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ObjectMeta(
    String name,
    String generateName,
    String namespace,
    String uid,
    String resourceVersion,
    Long generation,
    String creationTimestamp,
    String deletionTimestamp,
    Long deletionGracePeriodSeconds,
    Map<String, String> labels,
    Map<String, String> annotations,
    List<OwnerReference> ownerReferences,
    List<String> finalizers) {

  public ObjectMeta {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    ownerReferences = ownerReferences == null ? List.of() : List.copyOf(ownerReferences);
    finalizers = finalizers == null ? List.of() : List.copyOf(finalizers);
  }

  public static ObjectMeta named(String namespace, String name) {
    return new ObjectMeta(name, null, namespace, null, null, null, null, null, null, null, null, null, null);
  }

  public ObjectMeta withName(String value) {
    return new ObjectMeta(value, generateName, namespace, uid, resourceVersion, generation, creationTimestamp,
        deletionTimestamp, deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers);
  }

  public ObjectMeta withNamespace(String value) {
    return new ObjectMeta(name, generateName, value, uid, resourceVersion, generation, creationTimestamp,
        deletionTimestamp, deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers);
  }

  public ObjectMeta withResourceVersion(String value) {
    return new ObjectMeta(name, generateName, namespace, uid, value, generation, creationTimestamp,
        deletionTimestamp, deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers);
  }

  public ObjectMeta withGeneration(Long value) {
    return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, value, creationTimestamp,
        deletionTimestamp, deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers);
  }

  /** The fields the server owns, set once at creation. */
  public ObjectMeta withCreation(String newUid, String timestamp) {
    return new ObjectMeta(name, generateName, namespace, newUid, null, 1L, timestamp,
        null, null, labels, annotations, ownerReferences, finalizers);
  }

  /** This metadata with these owner references, everything else kept. */
  public ObjectMeta withOwnerReferences(List<OwnerReference> owners) {
    return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, generation, creationTimestamp,
        deletionTimestamp, deletionGracePeriodSeconds, labels, annotations, owners, finalizers);
  }

  /** Keeps the server-owned fields of {@code current} over whatever a client sent. */
  public ObjectMeta withServerFieldsOf(ObjectMeta current) {
    return new ObjectMeta(current.name, current.generateName, current.namespace, current.uid, current.resourceVersion,
        current.generation, current.creationTimestamp, current.deletionTimestamp,
        current.deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers);
  }

  public ObjectMeta withDeletion(String timestamp, Long gracePeriodSeconds) {
    return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, generation, creationTimestamp,
        timestamp, gracePeriodSeconds, labels, annotations, ownerReferences, finalizers);
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isDeleting() {
    return deletionTimestamp != null;
  }
}
