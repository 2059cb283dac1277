package io.troupe.node.logs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.util.ByteString;
import scala.concurrent.ExecutionContext;

/**
 * Reads a log file from an offset, chunk by chunk, as {@code Source.unfoldAsync} pulls: at its end it waits for
 * more (a timer on the actor system's scheduler, no thread) until {@code stop} completes, then reads what is
 * left and ends. A file shorter than the offset was rotated by copy-truncate: the rest of the old content is
 * read from {@code <file>.1}, then the file from its start. (A file rotated and written past the offset again
 * between two polls is not noticed: a poll reads far less than a log's maximum size.)
 */
final class LogFileTail {
  private static final int CHUNK = 64 * 1024;

  /** Where the reader is: in the file, or in the rotated part {@code <file>.1} just after a rotation. */
  record Position(boolean rotated, long offset) {}

  private final Path file;
  private final Path rotated;
  private final Duration poll;
  private final CompletionStage<?> stop;
  private final Scheduler scheduler;
  private final Executor io;
  private final ExecutionContext timers;
  private final AtomicReference<CompletableFuture<Void>> sleeping = new AtomicReference<>();

  LogFileTail(Path file, Duration poll, CompletionStage<?> stop, Scheduler scheduler, Executor io,
      ExecutionContext timers) {
    this.file = file;
    this.rotated = file.resolveSibling(file.getFileName() + ".1");
    this.poll = poll;
    this.stop = stop;
    this.scheduler = scheduler;
    this.io = io;
    this.timers = timers;
    stop.whenComplete((v, e) -> wake()); // once: not a callback per poll
  }

  /** The next chunk (empty after a pause when there is nothing new while following); none at the end. */
  CompletionStage<Optional<Pair<Position, ByteString>>> next(Position position) {
    boolean last = stop.toCompletableFuture().isDone(); // read before: what was written until then is read
    return CompletableFuture.supplyAsync(() -> read(position), io).thenCompose(read -> {
      if (!read.second().isEmpty()) {
        return CompletableFuture.completedFuture(Optional.of(read));
      }
      if (last) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      // an empty chunk after the pause: the stream asks again if it still wants more (not when cancelled)
      return sleep().thenApply(woken -> Optional.of(read));
    });
  }

  private CompletableFuture<Void> sleep() {
    CompletableFuture<Void> alarm = new CompletableFuture<>();
    sleeping.set(alarm);
    scheduler.scheduleOnce(poll, () -> alarm.complete(null), timers);
    if (stop.toCompletableFuture().isDone()) {
      alarm.complete(null);
    }
    return alarm;
  }

  private void wake() {
    CompletableFuture<Void> alarm = sleeping.get();
    if (alarm != null) {
      alarm.complete(null);
    }
  }

  /** Blocking: the bytes after {@code position} (empty at the end) and the position after them. */
  private Pair<Position, ByteString> read(Position position) {
    try {
      if (position.rotated()) {
        ByteString rest = readAt(rotated, position.offset());
        if (!rest.isEmpty()) {
          return Pair.create(new Position(true, position.offset() + rest.size()), rest);
        }
        position = new Position(false, 0);
      }
      long size = Files.exists(file) ? Files.size(file) : 0;
      if (size < position.offset()) {
        return read(new Position(true, position.offset()));
      }
      ByteString bytes = readAt(file, position.offset());
      return Pair.create(new Position(false, position.offset() + bytes.size()), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ByteString readAt(Path path, long offset) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, Math.min(CHUNK, channel.size() - offset)));
      while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
        // until the buffer is full or the end
      }
      buffer.flip();
      return ByteString.fromByteBuffer(buffer);
    } catch (NoSuchFileException e) {
      return ByteString.emptyByteString(); // removed meanwhile
    }
  }

  /** Blocking: the offset where the last {@code lines} lines of a file start (its size for 0 lines). */
  static long tailOffset(Path file, long lines) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (lines <= 0) {
        return size;
      }
      long seen = 0;
      long pos = size;
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      while (pos > 0) {
        int length = (int) Math.min(buffer.capacity(), pos);
        pos -= length;
        buffer.clear().limit(length);
        while (buffer.hasRemaining() && channel.read(buffer, pos + buffer.position()) > 0) {
          // fill
        }
        for (int i = length - 1; i >= 0; i--) {
          if (buffer.get(i) == '\n' && pos + i != size - 1 && ++seen == lines) {
            return pos + i + 1;
          }
        }
      }
      return 0;
    }
  }
}
