package io.troupe.control.ipam;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** The {@link RangeAllocator} of one range on this JVM, asked from futures (the API's admission, the controllers). */
public record AllocatorRef(String name, AllocationRange range, ActorRef<RangeAllocator.Command> allocator,
    Scheduler scheduler) {

  /** Longer than a few conflicting rounds of store writes, each bounded by the store's own timeouts. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  public CompletionStage<RangeAllocator.Result> allocate(List<String> asked, int any) {
    return AskPattern.ask(allocator, replyTo -> new RangeAllocator.Allocate(asked, any, replyTo), TIMEOUT, scheduler);
  }

  public CompletionStage<RangeAllocator.Result> release(List<String> values) {
    return AskPattern.ask(allocator, replyTo -> new RangeAllocator.Release(values, replyTo), TIMEOUT, scheduler);
  }

  public CompletionStage<RangeAllocator.Result> repair(Set<String> taken, Set<String> leaked) {
    return AskPattern.ask(allocator, replyTo -> new RangeAllocator.Repair(taken, leaked, replyTo), TIMEOUT,
        scheduler);
  }

  public CompletionStage<RangeAllocator.Result> read() {
    return AskPattern.ask(allocator, RangeAllocator.Read::new, TIMEOUT, scheduler);
  }
}
