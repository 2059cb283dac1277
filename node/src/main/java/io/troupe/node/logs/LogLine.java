package io.troupe.node.logs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.util.ByteString;

/** The lines of a container's log: {@code <RFC 3339 time> <text>\n}, split from chunks of bytes. */
final class LogLine {
  /** A longer line is passed on in pieces: a log never holds more than this in memory per reader. */
  static final int MAX_LINE = 1024 * 1024;
  private static final byte NEWLINE = '\n';

  private LogLine() {}

  /**
   * The complete lines in {@code pending + chunk} (with their newline), and what is left of a line not yet
   * ended; a step of {@code statefulMap}.
   */
  static Pair<ByteString, List<ByteString>> split(ByteString pending, ByteString chunk) {
    ByteString bytes = pending.concat(chunk);
    List<ByteString> lines = new ArrayList<>();
    int start = 0;
    int end;
    while ((end = bytes.indexOf(NEWLINE, start)) >= 0) {
      lines.add(bytes.slice(start, end + 1));
      start = end + 1;
    }
    ByteString rest = bytes.drop(start);
    if (rest.size() >= MAX_LINE) {
      lines.add(rest);
      rest = ByteString.emptyByteString();
    }
    return Pair.create(rest.compact(), lines);
  }

  /** Where a line's text starts after its timestamp, or 0 when it has none (the piece of a long line). */
  static int textStart(ByteString line) {
    int space = line.indexOf((byte) ' ');
    if (space < 20 || space > 40 || line.apply(4) != '-' || line.apply(10) != 'T') {
      return 0;
    }
    return space + 1;
  }

  static Optional<Instant> time(ByteString line) {
    int start = textStart(line);
    if (start == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(line.slice(0, start - 1).decodeString(StandardCharsets.US_ASCII)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  static ByteString withoutTimestamp(ByteString line) {
    return line.drop(textStart(line));
  }
}
