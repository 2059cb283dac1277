package io.troupe.node.runtime.process;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Copy-truncate rotation of a container's log, as logrotate's {@code copytruncate}: the log writer keeps its
 * file open (it appends with {@code O_APPEND}, so it writes at the new end after the truncation) and is never
 * told. {@code <log>.1} is the newest old part, {@code <log>.<max-files - 1>} the oldest; older parts are
 * dropped. Lines written between the copy and the truncation are lost: the price of not signalling the writer.
 */
public final class LogRotation {
  private LogRotation() {}

  /** Blocking: rotates {@code log} when it is larger than {@code maxBytes}; whether it did. */
  public static boolean rotateIfLarger(Path log, long maxBytes, int maxFiles) throws IOException {
    if (!Files.isRegularFile(log) || Files.size(log) <= maxBytes) {
      return false;
    }
    for (int i = maxFiles; Files.exists(part(log, i)); i++) {
      Files.deleteIfExists(part(log, i)); // parts beyond the count, from a larger setting before
    }
    for (int i = maxFiles - 1; i >= 2; i--) {
      if (Files.exists(part(log, i - 1))) {
        Files.move(part(log, i - 1), part(log, i), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (maxFiles > 1) {
      Files.copy(log, part(log, 1), StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
      channel.truncate(0);
    }
    return true;
  }

  static Path part(Path log, int n) {
    return log.resolveSibling(log.getFileName() + "." + n);
  }
}
