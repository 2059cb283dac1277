package io.troupe.node.probe;

/**
 * The three probes of a container, named as the container's fields and as Kubernetes names them in events
 * ({@code Liveness probe failed: ...}).
 */
public enum ProbeType {
  STARTUP("startupProbe", "Startup"),
  LIVENESS("livenessProbe", "Liveness"),
  READINESS("readinessProbe", "Readiness");

  private final String field;
  private final String title;

  ProbeType(String field, String title) {
    this.field = field;
    this.title = title;
  }

  /** The container's field that holds this probe ({@code livenessProbe}). */
  public String field() {
    return field;
  }

  /** The word events start with ({@code Liveness}). */
  public String title() {
    return title;
  }

  /** Whether a failure beyond the threshold kills and restarts the container (liveness and startup). */
  public boolean restartsOnFailure() {
    return this != READINESS;
  }

  /**
   * The message of the {@code Killing} event the kubelet records when this probe's failure restarts a
   * container: {@code Container web failed liveness probe, will be restarted}.
   */
  public String restartMessage(String containerName) {
    return "Container " + containerName + " failed " + title.toLowerCase(java.util.Locale.ROOT)
        + " probe, will be restarted";
  }
}
