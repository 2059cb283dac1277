package io.troupe.node.logs;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Reads one attempt's log file ({@code <RFC 3339 time> <text>} lines, as the {@code process} runtime writes
 * them) for the kubelet's {@code /containerLogs} endpoint, as a stream of bytes. Only the current file is read,
 * as kubelet does; a follower carries on across rotations.
 */
public final class ContainerLog {
  /** How often a follower looks for new lines. */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  private ContainerLog() {}

  /** What {@code file} holds now, as {@code options} ask ({@code follow} ignored). */
  public static Source<ByteString, NotUsed> read(Path file, LogOptions options) {
    return read(file, options.withFollow(false), CompletableFuture.completedFuture(null));
  }

  /**
   * The log as {@code options} ask; with {@code follow}, what is written next too, until {@code until} completes
   * (the container's exit): then what is left is read and the stream ends. Fails with
   * {@link java.nio.file.NoSuchFileException} when the file does not exist.
   */
  public static Source<ByteString, NotUsed> read(Path file, LogOptions options, CompletionStage<?> until) {
    CompletionStage<?> stop = options.follow() ? until : CompletableFuture.completedFuture(null);
    Source<ByteString, NotUsed> bytes = Source.fromMaterializer((materializer, attributes) -> {
      Executor io = materializer.system().dispatchers().lookup(ActorAttributes.IODispatcher().dispatcher());
      LogFileTail tail = new LogFileTail(file, POLL_INTERVAL, stop, materializer.system().scheduler(), io,
          materializer.executionContext());
      CompletableFuture<Long> start = CompletableFuture.supplyAsync(() -> {
        try {
          if (options.tailLines().isPresent()) {
            return LogFileTail.tailOffset(file, options.tailLines().getAsLong());
          }
          java.nio.file.Files.size(file); // fails when there is no such file
          return 0L;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, io);
      return Source.completionStage(start.exceptionallyCompose(ContainerLog::unwrap))
          .flatMapConcat(offset -> Source.unfoldAsync(new LogFileTail.Position(false, offset), tail::next));
    }).mapMaterializedValue(m -> NotUsed.getInstance());
    Source<ByteString, NotUsed> lines = bytes
        .statefulMap(ByteString::emptyByteString, LogLine::split,
            pending -> pending.isEmpty() ? Optional.empty() : Optional.of(List.of(pending)))
        .mapConcat(list -> list);
    if (options.sinceTime().isPresent()) {
      Instant since = options.sinceTime().get().truncatedTo(ChronoUnit.SECONDS);
      lines = lines.filter(line -> LogLine.time(line).map(t -> !t.isBefore(since)).orElse(true));
    }
    if (!options.timestamps()) {
      lines = lines.map(LogLine::withoutTimestamp);
    }
    if (options.limitBytes().isPresent()) {
      lines = limit(lines, options.limitBytes().getAsLong());
    }
    return lines;
  }

  /** The first {@code limit} bytes, the last line cut; ends the stream (a follower too) once reached. */
  private static Source<ByteString, NotUsed> limit(Source<ByteString, NotUsed> lines, long limit) {
    return lines
        .statefulMap(() -> limit, (left, line) -> {
          ByteString out = line.size() <= left ? line : line.take((int) left.longValue());
          long rest = left - out.size();
          return Pair.create(rest, Pair.create(out, rest <= 0));
        }, left -> Optional.empty())
        .takeWhile(p -> !p.second(), true)
        .map(Pair::first);
  }

  private static <T> CompletionStage<T> unwrap(Throwable e) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
    if (cause instanceof java.io.UncheckedIOException u) {
      cause = u.getCause();
    }
    return CompletableFuture.failedFuture(cause);
  }
}
