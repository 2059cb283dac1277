package io.troupe.persistence.watch;

/** A watch or list asked for a revision older than the cache's window: 410 Gone, as in Kubernetes. */
public final class Expired extends RuntimeException {
  public Expired(long requested, long oldest) {
    super("too old resource version: " + requested + " (" + oldest + ")");
  }
}
