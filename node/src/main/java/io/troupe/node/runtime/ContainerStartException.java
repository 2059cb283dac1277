package io.troupe.node.runtime;

/**
 * A container that could not start, with the reason Kubernetes shows in {@code state.waiting}:
 * {@code ErrImagePull} (the image is missing: the agent then backs off as {@code ImagePullBackOff}),
 * {@code CreateContainerConfigError}, {@code CreateContainerError} or {@code RunContainerError}.
 */
public final class ContainerStartException extends RuntimeException {
  private final String reason;

  public ContainerStartException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
