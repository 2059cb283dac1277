package io.troupe.node.image;

/**
 * An image that cannot be had, with the reason the container's {@code waiting} state shows.
 *
 * @see #reason()
 */
public final class ImagePullException extends RuntimeException {
  private final String reason;

  /**
   * @param reason {@code ErrImagePull}, {@code ErrImageNeverPull} or {@code InvalidImageName}
   * @param message what went wrong, with the registry's own message where it gave one
   */
  public ImagePullException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ImagePullException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
