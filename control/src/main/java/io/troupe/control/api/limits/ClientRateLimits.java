package io.troupe.control.api.limits;

import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A token bucket per client: each request takes a token, tokens come back at {@code rate} per second up to
 * {@code burst}. Written here rather than taken from a library: the arithmetic is a few lines, and what the API
 * needs from it (never block, say how long until the next token for {@code Retry-After}) is not what the
 * rate limiters at hand do (resilience4j's waits for a permit; Bucket4j is not among the project's
 * dependencies). A long-running request (a watch, a followed log) takes one token when it starts and holds
 * none after; open watches are bounded separately ({@link #openWatch}).
 *
 * <p>Buckets are kept in memory per JVM (each API server limits what it serves); a full bucket is the same as
 * none, so buckets that have filled up are dropped now and then, which bounds the map by the clients active in
 * the last {@code burst / rate} seconds.
 */
public final class ClientRateLimits {
  private static final int SWEEP_EVERY = 4096;

  private final LimitSettings settings;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> watches = new ConcurrentHashMap<>();
  private final AtomicInteger sinceSweep = new AtomicInteger();

  private final LongSupplier clock;

  public ClientRateLimits(LimitSettings settings) {
    this(settings, System::nanoTime);
  }

  /** With a clock in nanoseconds, so that tests can let time pass. */
  ClientRateLimits(LimitSettings settings, LongSupplier clock) {
    this.settings = settings;
    this.clock = clock;
  }

  public LimitSettings settings() {
    return settings;
  }

  /**
   * Takes a token for {@code client}: empty when the request may go ahead, else the whole seconds (at least 1)
   * until a token will be there, for {@code Retry-After}.
   */
  public OptionalLong take(String client) {
    long now = clock.getAsLong();
    if (sinceSweep.incrementAndGet() >= SWEEP_EVERY) {
      sinceSweep.set(0);
      buckets.values().removeIf(b -> b.isFull(now));
    }
    return buckets.computeIfAbsent(client, c -> new Bucket(settings.burst(), now)).take(now);
  }

  /** Counts an open watch of {@code client}; false (and nothing counted) when it holds its maximum already. */
  public boolean openWatch(String client) {
    boolean[] opened = {false};
    watches.compute(client, (c, open) -> {
      int now = open == null ? 0 : open;
      if (now >= settings.maxWatchesPerClient()) return open;
      opened[0] = true;
      return now + 1;
    });
    return opened[0];
  }

  public void closeWatch(String client) {
    watches.computeIfPresent(client, (c, open) -> open <= 1 ? null : open - 1);
  }

  /** Open watches of a client (for tests and metrics). */
  public int openWatches(String client) {
    return watches.getOrDefault(client, 0);
  }

  private final class Bucket {
    private double tokens;
    private long updated;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.updated = now;
    }

    synchronized OptionalLong take(long now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return OptionalLong.empty();
      }
      double seconds = (1 - tokens) / settings.rate();
      return OptionalLong.of(Math.max(1, (long) Math.ceil(seconds)));
    }

    synchronized boolean isFull(long now) {
      refill(now);
      return tokens >= settings.burst();
    }

    private void refill(long now) {
      tokens = Math.min(settings.burst(), tokens + (now - updated) / 1e9 * settings.rate());
      updated = now;
    }
  }
}
