package io.troupe.persistence.model;

/** A resource quantity that is not in Kubernetes' quantity syntax, or too large for a long. */
public final class QuantityFormatException extends IllegalArgumentException {

  public QuantityFormatException(String message) {
    super(message);
  }
}
