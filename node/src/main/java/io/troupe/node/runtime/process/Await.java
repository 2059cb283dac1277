package io.troupe.node.runtime.process;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits on the runtime's own threads for what the kernel tells nobody about (a forked child to appear, a file
 * to be written), checking often at first and less later. Only for waits of milliseconds.
 */
public final class Await {
  private Await() {}

  /** Blocking: whether {@code condition} held before the deadline. */
  public static boolean until(Duration deadline, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline.toNanos();
    long pause = 1;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      pause = Math.min(pause * 2, 10);
    }
    return true;
  }
}
