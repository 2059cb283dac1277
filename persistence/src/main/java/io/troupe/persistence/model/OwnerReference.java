package io.troupe.persistence.model;

/** metadata.ownerReferences[]: who owns this object, for the garbage collector and for controllers. */
public record OwnerReference(
    String apiVersion,
    String kind,
    String name,
    String uid,
    Boolean controller,
    Boolean blockOwnerDeletion) {}
