package io.troupe.node.runtime;

import java.time.Instant;

/**
 * How an attempt of a container ended, as Kubernetes reports it in {@code state.terminated}.
 *
 * @param exitCode the process's exit code; 128 + n when signal n ended it
 * @param reason {@code Completed} (exit 0), {@code Error}, {@code OOMKilled}
 * @param message a short explanation, or null
 */
public record ContainerExit(int exitCode, String reason, Instant finishedAt, String message) {
  public static ContainerExit of(int exitCode, Instant finishedAt) {
    return new ContainerExit(exitCode, exitCode == 0 ? "Completed" : "Error", finishedAt, null);
  }
}
