package io.troupe.node.volume;

/**
 * Why a volume of a pod cannot be set up (yet): the pod's containers wait, a {@code FailedMount} event says why,
 * and the agent tries again.
 */
public final class VolumeException extends RuntimeException {
  private final String volume;

  public VolumeException(String volume, String message) {
    super(message, null, false, false);
    this.volume = volume;
  }

  /** The volume's name in the pod. */
  public String volume() {
    return volume;
  }

  /** As the kubelet's event says it. */
  public String eventMessage() {
    return "MountVolume.SetUp failed for volume \"" + volume + "\" : " + getMessage();
  }
}
