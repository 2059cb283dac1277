package io.troupe.persistence.selector;

/**
 * A label or field selector that cannot be parsed or is not well formed. The API turns it into
 * 400 Bad Request, so the message names the offending token or key the way Kubernetes does.
 */
public final class SelectorException extends RuntimeException {

  public SelectorException(String message) {
    super(message);
  }
}
