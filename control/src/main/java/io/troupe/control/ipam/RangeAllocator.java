package io.troupe.control.ipam;

import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The allocator of one range on one JVM: the etcd-backed allocator of kube-apiserver. Every change is a
 * conditional write of the whole {@link RangeAllocation} (expected revision; on a conflict it reads the object
 * again and re-applies), so allocators on several JVMs never hand out one value twice. Requests that arrive while
 * a write is in flight are applied together in the next one: a burst of creates costs a few writes, not one per
 * value. Each request succeeds or fails on its own and wholly (all its values or none).
 */
public final class RangeAllocator extends AbstractBehavior<RangeAllocator.Command> {

  public sealed interface Command {}

  /** Takes the {@code asked} values and {@code any} more free ones; all or nothing. */
  public record Allocate(List<String> asked, int any, ActorRef<Result> replyTo) implements Command {
    public Allocate {
      asked = List.copyOf(asked);
    }
  }

  /** Frees values; those not taken or not in the range are ignored. */
  public record Release(List<String> values, ActorRef<Result> replyTo) implements Command {
    public Release {
      values = List.copyOf(values);
    }
  }

  /** The repair loop's correction: marks {@code taken} (values Services hold) and frees {@code leaked}. */
  public record Repair(Set<String> taken, Set<String> leaked, ActorRef<Result> replyTo) implements Command {
    public Repair {
      taken = Set.copyOf(taken);
      leaked = Set.copyOf(leaked);
    }
  }

  /** The values taken, as stored now (read again from the store, not from this allocator's copy). */
  public record Read(ActorRef<Result> replyTo) implements Command {}

  public sealed interface Result {}

  /** Done: the values taken (Allocate: the asked ones in order, then the dynamic ones) or, for Read, all taken. */
  public record Done(List<String> values) implements Result {
    public Done {
      values = List.copyOf(values);
    }
  }

  /** A request refused: a value not in the range, one already taken, or no value left. */
  public record Refused(Problem problem, String value, String range) implements Result {}

  public enum Problem { NOT_IN_RANGE, ALREADY_ALLOCATED, FULL }

  /** The store could not be read or written. */
  public record Failed(String message) implements Result {}

  private record Loaded(Optional<Store.Current> current, Throwable failure) implements Command {}

  private record Written(StoreResult result, Throwable failure) implements Command {}

  /** Conflicting writes from other JVMs before a batch gives up (each attempt re-reads the object). */
  private static final int ATTEMPTS = 50;

  public static Behavior<Command> create(String name, AllocationRange range, Store store) {
    return Behaviors.setup(context -> new RangeAllocator(context, name, range, store));
  }

  private final String name;
  private final AllocationRange range;
  private final Store store;
  private List<Command> pending = new ArrayList<>();
  /** The requests of the write in flight; null when idle. */
  private List<Command> batch;
  private List<Result> outcomes;
  private int attempts;
  /** The allocation as last read or written; null when it must be read first. */
  private RangeAllocation current;

  private RangeAllocator(ActorContext<Command> context, String name, AllocationRange range, Store store) {
    super(context);
    this.name = name;
    this.range = range;
    this.store = store.as("ipam/" + name);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Loaded.class, this::onLoaded)
        .onMessage(Written.class, this::onWritten)
        .onMessage(Command.class, c -> {
          pending.add(c);
          return next();
        })
        .build();
  }

  private Behavior<Command> next() {
    if (batch != null || pending.isEmpty()) return this;
    batch = pending;
    pending = new ArrayList<>();
    attempts = 0;
    if (current == null || batch.stream().anyMatch(Read.class::isInstance)) read();
    else apply();
    return this;
  }

  private void read() {
    CompletionStage<Optional<Store.Current>> read = store.current(RangeAllocation.key(name));
    getContext().pipeToSelf(read, Loaded::new);
  }

  private Behavior<Command> onLoaded(Loaded loaded) {
    if (loaded.failure() != null) return failBatch("reading the " + name + " allocation: " + loaded.failure());
    try {
      current = loaded.current()
          .map(c -> RangeAllocation.of(c.object(), c.revision(), range))
          .orElseGet(() -> RangeAllocation.empty(name, range));
    } catch (IllegalArgumentException e) {
      return failBatch("the stored " + name + " allocation is unreadable: " + e.getMessage());
    }
    apply();
    return next();
  }

  /** Applies the batch to a copy of the current bits; writes when they changed, else answers at once. */
  private void apply() {
    AllocationBitmap work = current.bitmap().copy();
    outcomes = new ArrayList<>(batch.size());
    for (Command c : batch) outcomes.add(apply(c, work));
    if (work.sameBitsAs(current.bitmap())) {
      answer();
      return;
    }
    var object = current.toObject(work);
    CompletionStage<StoreResult> write = current.revision() == RangeAllocation.ABSENT
        ? store.create(object) : store.replace(object, false, current.revision());
    getContext().pipeToSelf(write, Written::new);
  }

  private Result apply(Command c, AllocationBitmap work) {
    if (c instanceof Allocate a) return allocate(a, work);
    if (c instanceof Release r) {
      for (String v : r.values()) {
        int i = range.indexOf(v);
        if (i >= 0) work.clear(i);
      }
      return new Done(List.of());
    }
    if (c instanceof Repair r) {
      for (String v : r.taken()) {
        int i = range.indexOf(v);
        if (i >= 0) work.set(i);
      }
      for (String v : r.leaked()) {
        int i = range.indexOf(v);
        if (i >= 0 && !r.taken().contains(v)) work.clear(i);
      }
      return new Done(List.of());
    }
    return new Done(work.positions().mapToObj(range::valueAt).toList());
  }

  private Result allocate(Allocate a, AllocationBitmap work) {
    LinkedHashSet<Integer> taken = new LinkedHashSet<>();
    for (String v : a.asked()) {
      int i = range.indexOf(v);
      if (i < 0) return new Refused(Problem.NOT_IN_RANGE, v, range.describe());
      if (work.isSet(i) || !taken.add(i)) return new Refused(Problem.ALREADY_ALLOCATED, v, range.describe());
      work.set(i);
    }
    for (int n = 0; n < a.any(); n++) {
      OptionalInt free = work.free(range);
      if (free.isEmpty()) {
        taken.forEach(work::clear);
        return new Refused(Problem.FULL, null, range.describe());
      }
      work.set(free.getAsInt());
      taken.add(free.getAsInt());
    }
    return new Done(taken.stream().map(range::valueAt).toList());
  }

  private Behavior<Command> onWritten(Written w) {
    if (w.failure() == null && w.result() instanceof StoreResult.Written written) {
      var stored = written.stored();
      current = RangeAllocation.of(stored.object(), stored.sequenceNr(), range);
      answer();
      return next();
    }
    current = null;
    if (w.failure() == null && w.result() instanceof StoreResult.Refused refused
        && refused.reason() != ResourceEntity.Reason.INVALID && ++attempts < ATTEMPTS) {
      // another JVM wrote first (conflict), or created it first: read it again and re-apply the batch
      getContext().getLog().debug("{}: {}; reading it again", name, refused.message());
      read();
      return this;
    }
    return failBatch("writing the " + name + " allocation: "
        + (w.failure() != null ? w.failure().toString() : ((StoreResult.Refused) w.result()).message()));
  }

  private void answer() {
    for (int i = 0; i < batch.size(); i++) replyTo(batch.get(i)).tell(outcomes.get(i));
    batch = null;
    outcomes = null;
  }

  private Behavior<Command> failBatch(String message) {
    getContext().getLog().warn("{}", message);
    current = null;
    for (Command c : batch) replyTo(c).tell(new Failed(message));
    batch = null;
    outcomes = null;
    return next();
  }

  private static ActorRef<Result> replyTo(Command c) {
    if (c instanceof Allocate a) return a.replyTo();
    if (c instanceof Release r) return r.replyTo();
    if (c instanceof Repair r) return r.replyTo();
    return ((Read) c).replyTo();
  }
}
