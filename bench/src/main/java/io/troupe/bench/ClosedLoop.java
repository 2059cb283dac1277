package io.troupe.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Drives an operation in a closed loop: each client sends its next operation as soon as the previous one
 * answered. Warm-up operations are run but not measured.
 */
public final class ClosedLoop {
  private ClosedLoop() {}

  /** One operation of one client (each client has its own connection); {@code n} counts that client's calls. */
  @FunctionalInterface
  public interface Operation {
    void run(long n) throws Exception;
  }

  /** {@code warmup} operations, then {@code count} measured ones, one after another. */
  static Result sequential(String name, Operation operation, int warmup, int count) throws Exception {
    for (int i = 0; i < warmup; i++) operation.run(i);
    long[] latencies = new long[count];
    long started = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      operation.run(warmup + i);
      latencies[i] = System.nanoTime() - t0;
    }
    return Result.of(name, 1, latencies, (System.nanoTime() - started) / 1e9, 0);
  }

  /**
   * {@code clients} clients for {@code warmup} then {@code measured}: the operations that start and end inside the
   * measured window count. An operation that fails is counted as an error, not as a latency.
   */
  public static Result concurrent(String name, IntFunction<Operation> clients, int clientCount, Duration warmup,
      Duration measured) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clientCount);
    try {
      CountDownLatch go = new CountDownLatch(1);
      AtomicLong errors = new AtomicLong();
      long[] window = new long[2];
      List<Future<long[]>> results = new ArrayList<>();
      for (int c = 0; c < clientCount; c++) {
        Operation operation = clients.apply(c);
        results.add(pool.submit(() -> {
          go.await();
          return loop(operation, window[0], window[1], errors);
        }));
      }
      long start = System.nanoTime();
      window[0] = start + warmup.toNanos();
      window[1] = window[0] + measured.toNanos();
      go.countDown();
      List<long[]> all = new ArrayList<>();
      long deadline = warmup.plus(measured).plusSeconds(60).toMillis();
      for (Future<long[]> f : results) all.add(f.get(deadline, TimeUnit.MILLISECONDS));
      long[] latencies = all.stream().flatMapToLong(Arrays::stream).toArray();
      return Result.of(name, clientCount, latencies, measured.toNanos() / 1e9, errors.get());
    } finally {
      pool.shutdownNow();
    }
  }

  private static long[] loop(Operation operation, long measureFrom, long measureUntil, AtomicLong errors) {
    long[] latencies = new long[1024];
    int size = 0;
    for (long n = 0; ; n++) {
      long t0 = System.nanoTime();
      if (t0 >= measureUntil) break;
      try {
        operation.run(n);
      } catch (Exception e) {
        errors.incrementAndGet();
        continue;
      }
      long t1 = System.nanoTime();
      if (t0 >= measureFrom && t1 <= measureUntil) {
        if (size == latencies.length) latencies = Arrays.copyOf(latencies, size * 2);
        latencies[size++] = t1 - t0;
      }
    }
    return Arrays.copyOf(latencies, size);
  }
}
