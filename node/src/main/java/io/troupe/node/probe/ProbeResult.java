package io.troupe.node.probe;

/**
 * The outcome of one run of a probe.
 *
 * @param message empty on success; on failure the text of the {@value #REASON} event as the kubelet writes
 *     it: {@code Liveness probe failed: HTTP probe failed with statuscode: 500}
 */
public record ProbeResult(boolean success, String message) {

  /** The reason of the Warning event the kubelet records for a failed probe. */
  public static final String REASON = "Unhealthy";

  private static final ProbeResult SUCCESS = new ProbeResult(true, "");

  public ProbeResult {
    message = message == null ? "" : message;
  }

  public static ProbeResult succeeded() {
    return SUCCESS;
  }

  /** The probe ran and the container failed it: {@code <Type> probe failed: <output>}. */
  public static ProbeResult failed(ProbeType type, String output) {
    return new ProbeResult(false, type.title() + " probe failed: " + output);
  }

  /** The probe could not run at all (a port it cannot resolve, a handler Troupe lacks): a failure too. */
  public static ProbeResult errored(ProbeType type, String reason) {
    return new ProbeResult(false, type.title() + " probe errored: " + reason);
  }
}
