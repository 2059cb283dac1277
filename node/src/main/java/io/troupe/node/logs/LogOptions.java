package io.troupe.node.logs;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the kubelet's {@code /containerLogs} endpoint (and {@code kubectl logs}) asks of a container's log: the
 * query parameters of {@code PodLogOptions}.
 *
 * @param tailLines only the last lines of the file, before {@code sinceTime} filters them
 * @param sinceTime only the lines written at or after this time (to the second: the runtime's timestamps have
 *     no finer grain)
 * @param timestamps whether each line keeps its leading RFC 3339 timestamp
 * @param limitBytes stop after this many bytes (cutting a line if need be)
 * @param follow keep reading what is written until the container ends
 */
public record LogOptions(OptionalLong tailLines, Optional<Instant> sinceTime, boolean timestamps,
    OptionalLong limitBytes, boolean follow) {

  /** All of the file, without timestamps, no limit, not following: {@code kubectl logs} without flags. */
  public static final LogOptions DEFAULT = new LogOptions(OptionalLong.empty(), Optional.empty(), false,
      OptionalLong.empty(), false);

  public LogOptions {
    Objects.requireNonNull(tailLines, "tailLines");
    Objects.requireNonNull(sinceTime, "sinceTime");
    Objects.requireNonNull(limitBytes, "limitBytes");
    if (tailLines.isPresent() && tailLines.getAsLong() < 0) {
      throw new IllegalArgumentException("tailLines must not be negative");
    }
    if (limitBytes.isPresent() && limitBytes.getAsLong() < 1) {
      throw new IllegalArgumentException("limitBytes must be positive");
    }
  }

  public LogOptions withTailLines(long lines) {
    return new LogOptions(OptionalLong.of(lines), sinceTime, timestamps, limitBytes, follow);
  }

  public LogOptions withSinceTime(Instant time) {
    return new LogOptions(tailLines, Optional.of(time), timestamps, limitBytes, follow);
  }

  /** {@code sinceSeconds}: relative to {@code now}, the time the request came. */
  public LogOptions withSinceSeconds(long seconds, Instant now) {
    if (seconds < 1) {
      throw new IllegalArgumentException("sinceSeconds must be positive");
    }
    return withSinceTime(now.minus(Duration.ofSeconds(seconds)));
  }

  public LogOptions withTimestamps(boolean value) {
    return new LogOptions(tailLines, sinceTime, value, limitBytes, follow);
  }

  public LogOptions withLimitBytes(long bytes) {
    return new LogOptions(tailLines, sinceTime, timestamps, OptionalLong.of(bytes), follow);
  }

  public LogOptions withFollow(boolean value) {
    return new LogOptions(tailLines, sinceTime, timestamps, limitBytes, value);
  }
}
