package io.troupe.node.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a container's log as {@code kubectl logs} asks: tail, since, timestamps, limit, follow. */
class ContainerLogTest {
  static ActorSystem system;
  static Materializer materializer;

  @TempDir
  Path dir;

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create("ContainerLogTest");
    materializer = Materializer.createMaterializer(system);
  }

  @AfterAll
  static void stopSystem() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void theWholeLogWithoutTimestampsByDefault() throws Exception {
    Path log = log("2024-05-01T10:00:00Z one\n2024-05-01T10:00:01Z two\n2024-05-01T10:00:02Z three\n");

    assertEquals("one\ntwo\nthree\n", read(ContainerLog.read(log, LogOptions.DEFAULT)));
    assertEquals("2024-05-01T10:00:00Z one\n2024-05-01T10:00:01Z two\n2024-05-01T10:00:02Z three\n",
        read(ContainerLog.read(log, LogOptions.DEFAULT.withTimestamps(true))));
  }

  @Test
  void tailLinesKeepsTheLastLines() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      text.append("2024-05-01T10:00:00Z line ").append(i).append('\n');
    }
    Path log = log(text.toString());

    assertEquals("line 4998\nline 4999\n", read(ContainerLog.read(log, LogOptions.DEFAULT.withTailLines(2))));
    assertEquals("", read(ContainerLog.read(log, LogOptions.DEFAULT.withTailLines(0))));
    assertEquals(5000, read(ContainerLog.read(log, LogOptions.DEFAULT.withTailLines(100_000))).lines().count());
    assertEquals("2024-05-01T10:00:00Z unfinished", read(ContainerLog.read(
        log("2024-05-01T10:00:00Z done\n2024-05-01T10:00:00Z unfinished"),
        LogOptions.DEFAULT.withTailLines(1).withTimestamps(true))));
  }

  @Test
  void sinceKeepsTheLinesWrittenFromThenOnToTheSecond() throws Exception {
    Path log = log("2024-05-01T10:00:00Z old\n2024-05-01T10:00:05Z recent\n2024-05-01T10:00:09Z new\n");

    assertEquals("recent\nnew\n", read(ContainerLog.read(log,
        LogOptions.DEFAULT.withSinceTime(Instant.parse("2024-05-01T10:00:05.600Z")))));
    assertEquals("new\n", read(ContainerLog.read(log, LogOptions.DEFAULT
        .withSinceSeconds(1, Instant.parse("2024-05-01T10:00:10Z")))));
    assertEquals("new\n", read(ContainerLog.read(log, LogOptions.DEFAULT.withTailLines(2)
        .withSinceTime(Instant.parse("2024-05-01T10:00:06Z")))));
  }

  @Test
  void limitBytesCutsTheOutput() throws Exception {
    Path log = log("2024-05-01T10:00:00Z abcdef\n2024-05-01T10:00:01Z ghijkl\n");

    assertEquals("abcdef\ngh", read(ContainerLog.read(log, LogOptions.DEFAULT.withLimitBytes(9))));
    assertEquals("2024-05", read(ContainerLog.read(log, LogOptions.DEFAULT.withLimitBytes(7).withTimestamps(true))));
  }

  @Test
  void aMissingLogFails() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> read(ContainerLog.read(dir.resolve("nothing.log"), LogOptions.DEFAULT)));
    assertInstanceOf(NoSuchFileException.class, e.getCause());
  }

  @Test
  void followReadsWhatComesUntilTheContainerEndsThenDrains() throws Exception {
    Path log = log("2024-05-01T10:00:00Z first\n");
    CompletableFuture<Void> exited = new CompletableFuture<>();
    StringBuilder seen = new StringBuilder();
    CompletionStage<?> done = ContainerLog.read(log, LogOptions.DEFAULT.withFollow(true), exited)
        .runForeach(b -> {
          synchronized (seen) {
            seen.append(b.utf8String());
          }
        }, materializer);

    awaitSeen(seen, "first\n");
    append(log, "2024-05-01T10:00:01Z second\n");
    awaitSeen(seen, "first\nsecond\n");
    assertFalse(done.toCompletableFuture().isDone());
    append(log, "2024-05-01T10:00:02Z last words\n");
    exited.complete(null);

    done.toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals("first\nsecond\nlast words\n", seen.toString());
  }

  @Test
  void followCarriesOnAcrossACopyTruncateRotation() throws Exception {
    String before = "2024-05-01T10:00:00Z before, longer than what follows the rotation\n";
    Path log = log(before);
    CompletableFuture<Void> exited = new CompletableFuture<>();
    StringBuilder seen = new StringBuilder();
    CompletionStage<?> done = ContainerLog.read(log, LogOptions.DEFAULT.withFollow(true).withTimestamps(true),
        exited).runForeach(b -> {
          synchronized (seen) {
            seen.append(b.utf8String());
          }
        }, materializer);
    awaitSeen(seen, before);

    append(log, "2024-05-01T10:00:01Z just before the rotation\n");
    Files.copy(log, log.resolveSibling("0.log.1"), StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
      channel.truncate(0);
    }
    append(log, "2024-05-01T10:00:02Z after\n");
    exited.complete(null);

    done.toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(before + "2024-05-01T10:00:01Z just before the rotation\n"
        + "2024-05-01T10:00:02Z after\n", seen.toString());
  }

  @Test
  void followWithALimitEndsAtTheLimit() throws Exception {
    Path log = log("2024-05-01T10:00:00Z 0123456789\n");

    String out = read(ContainerLog.read(log, LogOptions.DEFAULT.withFollow(true).withLimitBytes(4),
        new CompletableFuture<Void>()));

    assertEquals("0123", out);
  }

  @Test
  void followOfAnEndedContainerReadsItAllAndEnds() throws Exception {
    Path log = log("2024-05-01T10:00:00Z all\n2024-05-01T10:00:00Z there\n");

    assertEquals("all\nthere\n", read(ContainerLog.read(log, LogOptions.DEFAULT.withFollow(true),
        CompletableFuture.completedFuture(null))));
  }

  @Test
  void aLongLineIsPassedOnInPieces() throws Exception {
    String longText = "x".repeat(LogLine.MAX_LINE + 10);
    Path log = log("2024-05-01T10:00:00Z " + longText + "\n2024-05-01T10:00:00Z short\n");

    String out = read(ContainerLog.read(log, LogOptions.DEFAULT));

    assertEquals(longText + "\nshort\n", out);
    assertTrue(out.length() > LogLine.MAX_LINE);
  }

  private Path log(String text) throws Exception {
    Path file = dir.resolve("0.log");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  private static void append(Path log, String text) throws Exception {
    Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  private static String read(Source<ByteString, ?> source) throws Exception {
    return source.runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), materializer)
        .toCompletableFuture().get(10, TimeUnit.SECONDS).utf8String();
  }

  private static void awaitSeen(StringBuilder seen, String expected) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      synchronized (seen) {
        if (seen.toString().equals(expected)) {
          return;
        }
        if (System.nanoTime() > end) {
          throw new AssertionError("saw \"" + seen + "\", not \"" + expected + "\"");
        }
      }
      Thread.sleep(10);
    }
  }
}
