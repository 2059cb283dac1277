package io.troupe.cli.client;

/** A failure the CLI reports as one message on stderr (worded as kubectl words it) and exit code 1. */
public class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }
}
