package io.troupe.persistence.cluster;

/** How objects name the Pekko Cluster member (JVM) they belong to. */
public final class ClusterMember {
  /** On a Node: the address of the member its agent runs in (read by the node lifecycle controller). */
  public static final String ANNOTATION = "troupe.io/cluster-member";

  private ClusterMember() {}
}
