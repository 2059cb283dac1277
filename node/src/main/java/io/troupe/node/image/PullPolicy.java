package io.troupe.node.image;

/** A container's {@code imagePullPolicy}. */
public enum PullPolicy {
  /** Pull every time (the manifest is asked for; layers held are not downloaded again). */
  Always,
  /** Pull only when the node does not hold the image. */
  IfNotPresent,
  /** Never pull: the image must have been imported or pulled before ({@code ErrImageNeverPull}). */
  Never;

  /** Kubernetes' default: {@code Always} for the tag {@code latest} or no tag, else {@code IfNotPresent}. */
  public static PullPolicy defaultFor(String reference) {
    String last = reference.substring(reference.lastIndexOf('/') + 1);
    if (last.contains("@")) return IfNotPresent;
    int colon = last.indexOf(':');
    return colon < 0 || last.substring(colon + 1).equals("latest") ? Always : IfNotPresent;
  }
}
