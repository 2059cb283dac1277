package io.troupe.persistence.watch;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The events this JVM has just serialized for the journal, by their bytes, until its {@link JournalFeed} reads
 * them back: a row whose payload is byte for byte what was serialized here is that event, so the feed takes the
 * object instead of decrypting and parsing the JSON again (half of the feed's work was that parsing, ~5 % of the
 * server's CPU under a stream of creates, JFR). Rows written by another JVM of a cluster, or read at start, are
 * deserialized as before. Identical bytes are an identical event, and objects are never changed once made, so
 * handing over the instance is exact.
 *
 * <p>Bounded: an entry the feed never takes (its write failed) leaves after {@link #MAX_AGE}, and while
 * {@link #MAX_ENTRIES} are waiting (a feed far behind) new ones are not kept.
 */
public final class RecentEvents implements Extension {
  static final int MAX_ENTRIES = 50_000;
  static final long MAX_AGE = TimeUnit.SECONDS.toNanos(60);
  private static final int SWEEP_EVERY = 4096;

  private record Entry(byte[] bytes, Object event, long offered) {}

  private final Map<Integer, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicInteger offers = new AtomicInteger();

  RecentEvents() {}

  public static RecentEvents get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** {@code bytes} are what the journal will store for {@code event}. */
  public void offer(byte[] bytes, Object event) {
    if (offers.incrementAndGet() % SWEEP_EVERY == 0) sweep(System.nanoTime());
    if (entries.size() >= MAX_ENTRIES) return;
    // a second event with the same hash waits for the first to be taken: it is deserialized when read
    entries.putIfAbsent(Arrays.hashCode(bytes), new Entry(bytes, event, System.nanoTime()));
  }

  /** The event serialized here as exactly these bytes, handed over once; null when there is none. */
  public Object take(byte[] bytes) {
    int hash = Arrays.hashCode(bytes);
    Entry e = entries.get(hash);
    if (e == null || !Arrays.equals(e.bytes(), bytes)) return null;
    return entries.remove(hash, e) ? e.event() : null;
  }

  /** How many are waiting (tests). */
  int size() {
    return entries.size();
  }

  void sweep(long now) {
    entries.values().removeIf(e -> now - e.offered() > MAX_AGE);
  }

  private static final class Id extends ExtensionId<RecentEvents> {
    static final Id INSTANCE = new Id();

    @Override
    public RecentEvents createExtension(ActorSystem<?> system) {
      return new RecentEvents();
    }
  }
}
