package io.troupe.node.volume;

/**
 * Why a volume of a pod cannot be set up (yet): the pod's containers wait, a {@code FailedMount} event says why,
 * and the agent tries again.
 */
public final class VolumeException extends RuntimeException {
  private final String volume;
  private final boolean pending;

  public VolumeException(String volume, String message) {
    this(volume, message, false);
  }

  /** @param pending the volume is being made (a claim being provisioned and bound): soon, not wrong */
  public VolumeException(String volume, String message, boolean pending) {
    super(message, null, false, false);
    this.volume = volume;
    this.pending = pending;
  }

  public boolean pending() {
    return pending;
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
