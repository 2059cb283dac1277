package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.probe.ContainerProbes;
import io.troupe.node.probe.ProbeResult;
import io.troupe.node.probe.ProbeSpec;
import io.troupe.node.probe.ProbeType;
import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.PodNetwork;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import io.troupe.node.volume.PodVolumes;
import io.troupe.node.volume.VolumeException;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.KubeObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The kubelet's pod worker: one actor per pod bound to this node, reconciling the pod (the latest version the
 * watch delivered) with the runtime: the sandbox, the init containers in order, then the containers, restarts
 * by {@code restartPolicy} with back-off, probes, graceful termination; and the pod's status written back
 * through its entity whenever what it shows changes. Every runtime call answers back as a message; the worker
 * never blocks.
 */
public final class PodWorker extends AbstractBehavior<PodWorker.Command> {

  public sealed interface Command {}

  /** The pod as the watch delivered it (older versions than one already seen are ignored). */
  public record Update(KubeObject pod) implements Command {}

  /** The pod object is gone (deleted with no grace, or this worker's own final delete). */
  public enum Gone implements Command { INSTANCE }

  /** For the kubelet endpoint: how many attempts of container {@code name} started, and the running one. */
  public record FindContainer(String name, ActorRef<Optional<Attempts>> replyTo) implements Command {}

  /** A container's attempts so far (the current one is {@code started - 1}) and the one running, if any. */
  public record Attempts(int started, Optional<RunningContainer> running) {}

  private record SandboxReady(Throwable failure) implements Command {}

  private record Started(String name, RunningContainer container) implements Command {}

  private record StartFailed(String name, String reason, String message) implements Command {}

  private record Exited(String name, int attempt, ContainerExit exit) implements Command {}

  private record ProbeDone(String name, int attempt, ProbeType type, ProbeResult result) implements Command {}

  private record StatusWritten(boolean ok) implements Command {}

  private record Removed(Throwable failure) implements Command {}

  private record VolumesPrepared(PodVolumes.Prepared prepared, Throwable failure) implements Command {}

  private enum Tick implements Command { INSTANCE }

  /** Time to bring the files of configMap, secret and downwardAPI volumes up to date. */
  private enum SyncVolumes implements Command { INSTANCE }

  /** @param podCidr the node's pod CIDR, which {@code podIp} comes from (a bridge-mode runtime's network) */
  public static Behavior<Command> create(PodWorkerContext ctx, KubeObject pod, String podIp, String podCidr,
      List<RunningContainer> adopted) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new PodWorker(context, timers, ctx, pod, podIp, podCidr, adopted)));
  }

  private final TimerScheduler<Command> timers;
  private final PodWorkerContext ctx;
  private final String uid;
  private final String podIp;
  private final String podCidr;
  private final String startTime;
  private final List<ContainerRun> inits = new ArrayList<>();
  private final List<ContainerRun> containers = new ArrayList<>();
  private KubeObject pod;
  private boolean gone;
  private boolean sandboxStarting;
  private boolean sandboxReady;
  private boolean terminating;
  private boolean removing;
  private boolean writing;
  private JsonNode written;
  /** The pod's volumes as set up on this node; null until they are (always null without a volume manager). */
  private PodVolumes.Prepared volumes;
  private boolean volumesPreparing;
  private int volumeFailures;
  /** Quick looks at a claim being provisioned, before its wait counts as a failure. */
  private int pendingChecks;
  private String volumeError;

  private PodWorker(ActorContext<Command> context, TimerScheduler<Command> timers, PodWorkerContext ctx,
      KubeObject pod, String podIp, String podCidr, List<RunningContainer> adopted) {
    super(context);
    this.podCidr = podCidr;
    this.timers = timers;
    this.ctx = ctx;
    this.pod = pod;
    this.uid = pod.metadata().uid();
    this.podIp = podIp;
    this.startTime = PodStatusBuilder.timestamp(Instant.now());
    for (JsonNode c : pod.spec().path("initContainers")) {
      inits.add(new ContainerRun(c.path("name").asText(), true, (ObjectNode) c));
    }
    for (JsonNode c : pod.spec().path("containers")) {
      containers.add(new ContainerRun(c.path("name").asText(), false, (ObjectNode) c));
    }
    if (ctx.volumes() != null && !ctx.volumes().hasVolumes(pod)) {
      volumes = new PodVolumes.Prepared(java.util.Map.of()); // nothing to set up
    }
    adopt(adopted);
    reconcile();
  }

  /** Containers found running (or ended) after a restart of the agent take up where they were. */
  private void adopt(List<RunningContainer> adopted) {
    for (RunningContainer rc : adopted) {
      run(rc.name()).ifPresent(c -> {
        if (rc.attempt() + 1 < c.attempts) return;
        c.attempts = rc.attempt() + 1;
        c.running = rc;
        c.probes = ContainerProbes.start(c.init || !ctx.probesRun() ? List.of() : ProbeSpec.forContainer(c.spec),
            rc.startedAt());
        c.started = c.probes.started();
        c.ready = !c.init && c.probes.ready();
        watchExit(c, rc);
        sandboxReady = true;
      });
    }
    // restart counts and the earlier ends come back from the status the pod had
    for (JsonNode s : iterable(pod.status(), "initContainerStatuses", "containerStatuses")) {
      run(s.path("name").asText()).ifPresent(c -> {
        c.attempts = Math.max(c.attempts, s.path("restartCount").asInt(0) + (s.path("containerID").isMissingNode()
            ? 0 : 1));
        JsonNode t = s.path("state").path("terminated");
        if (c.running == null && !t.isMissingNode()) c.terminated = ended(c.attempts - 1, t);
        JsonNode last = s.path("lastState").path("terminated");
        if (!last.isMissingNode()) c.last = ended(Math.max(0, c.attempts - 2), last);
      });
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Update.class, this::onUpdate)
        .onMessage(Gone.class, g -> {
          gone = true;
          return step();
        })
        .onMessage(FindContainer.class, this::onFind)
        .onMessage(SandboxReady.class, this::onSandboxReady)
        .onMessage(Started.class, this::onStarted)
        .onMessage(StartFailed.class, this::onStartFailed)
        .onMessage(Exited.class, this::onExited)
        .onMessage(ProbeDone.class, this::onProbeDone)
        .onMessage(StatusWritten.class, w -> {
          writing = false;
          if (!w.ok()) written = null;
          return step();
        })
        .onMessage(Removed.class, this::onRemoved)
        .onMessage(VolumesPrepared.class, this::onVolumesPrepared)
        .onMessageEquals(SyncVolumes.INSTANCE, () -> {
          if (!volumesPreparing && !terminating && !gone) prepareVolumes();
          return this;
        })
        .onMessageEquals(Tick.INSTANCE, this::step)
        .build();
  }

  private Behavior<Command> onUpdate(Update u) {
    if (revision(u.pod()) < revision(pod) || !uid.equals(u.pod().metadata().uid())) return this;
    pod = u.pod();
    // the status this worker wrote has come back in the pod: hold the pod's tree rather than a copy of it (a held
    // copy per pod, kept for the pod's life, is a status tree per pod in the node agent's heap)
    if (written != null && written.equals(pod.status())) written = pod.status();
    return step();
  }

  private Behavior<Command> onFind(FindContainer f) {
    f.replyTo().tell(run(f.name()).map(c -> new Attempts(c.attempts, Optional.ofNullable(c.running))));
    return this;
  }

  private Behavior<Command> onSandboxReady(SandboxReady r) {
    sandboxStarting = false;
    if (r.failure() != null) {
      getContext().getLog().warn("pod {}: sandbox failed: {}", pod.key(), r.failure().getMessage());
      ctx.events().warning(pod, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + r.failure().getMessage());
      timers.startSingleTimer(Tick.INSTANCE, ctx.settings().backOffInitial());
      return this;
    }
    sandboxReady = true;
    return step();
  }

  private Behavior<Command> onStarted(Started s) {
    ContainerRun c = run(s.name()).orElseThrow();
    RunningContainer rc = s.container();
    c.starting = false;
    c.attempts = rc.attempt() + 1;
    c.running = rc;
    c.waiting = null;
    c.terminated = null;
    c.probes = ContainerProbes.start(c.init || !ctx.probesRun() ? List.of() : ProbeSpec.forContainer(c.spec),
        rc.startedAt());
    c.probing.clear();
    c.started = c.probes.started();
    c.ready = !c.init && c.probes.ready();
    watchExit(c, rc);
    ctx.events().normal(pod, "Started", "Started container " + c.name);
    if (terminating || gone) stop(c, terminationGrace());
    return step();
  }

  private Behavior<Command> onStartFailed(StartFailed f) {
    ContainerRun c = run(f.name()).orElseThrow();
    c.starting = false;
    c.waiting = new ContainerRun.Waiting(f.reason(), f.message());
    c.backOff(Instant.now(), ctx.settings());
    ctx.events().warning(pod, "Failed", "Error: " + f.reason() + ": " + f.message());
    return step();
  }

  private Behavior<Command> onExited(Exited e) {
    ContainerRun c = run(e.name()).orElseThrow();
    if (c.running == null || c.running.attempt() != e.attempt()) return this;
    Instant now = Instant.now();
    ContainerRun.Ended ended = new ContainerRun.Ended(e.attempt(), e.exit(), c.running.startedAt());
    boolean ranLong = Duration.between(c.running.startedAt(), now).compareTo(ctx.settings().backOffResetAfter()) >= 0;
    c.running = null;
    c.stopping = false;
    c.ready = false;
    c.started = false;
    c.probes = null;
    if (terminating || gone || !restarts(c, e.exit())) {
      if (c.terminated != null) c.last = c.terminated;
      c.terminated = ended;
      c.waiting = null;
      return step();
    }
    c.last = ended;
    c.terminated = null;
    if (ranLong) c.backOff = null;
    c.backOff(now, ctx.settings());
    c.waiting = c.notBefore == null ? null : crashLoop(c);
    if (c.notBefore != null) ctx.events().warning(pod, "BackOff", "Back-off restarting failed container " + c.name);
    return step();
  }

  private Behavior<Command> onProbeDone(ProbeDone p) {
    ContainerRun c = run(p.name()).orElseThrow();
    c.probing.remove(p.type());
    if (c.running == null || c.running.attempt() != p.attempt() || c.stopping) return this;
    c.probes = c.probes.withResult(p.type(), p.result());
    if (!p.result().success()) ctx.events().warning(pod, ProbeResult.REASON, p.result().message());
    c.started = c.probes.started();
    c.ready = !c.init && c.probes.ready();
    c.probes.restartCause().ifPresent(cause -> {
      ctx.events().normal(pod, "Killing", cause.restartMessage(c.name));
      stop(c, terminationGrace());
    });
    return step();
  }

  /** Starts the probes due now on every running container. */
  private void probe(Instant now) {
    for (ContainerRun c : containers) {
      if (c.running == null || c.stopping || c.probes == null) continue;
      RunningContainer rc = c.running;
      for (ProbeSpec spec : c.probes.due(now)) {
        if (!c.probing.add(spec.type())) continue;
        c.probes = c.probes.probeStarted(spec.type(), now);
        getContext().pipeToSelf(ctx.prober().probe(spec, podIp, rc, ctx.runtime()), (result, failure) ->
            new ProbeDone(c.name, rc.attempt(), spec.type(), failure == null ? result
                : ProbeResult.errored(spec.type(), String.valueOf(failure.getMessage()))));
      }
    }
  }

  private boolean restarts(ContainerRun c, ContainerExit exit) {
    String policy = restartPolicy();
    if (c.init) return exit.exitCode() != 0 && !"Never".equals(policy);
    if ("Always".equals(policy)) return true;
    return "OnFailure".equals(policy) && exit.exitCode() != 0;
  }

  private ContainerRun.Waiting crashLoop(ContainerRun c) {
    return new ContainerRun.Waiting("CrashLoopBackOff", "back-off " + seconds(Duration.between(Instant.now(),
        c.notBefore)) + " restarting failed container=" + c.name + " pod=" + pod.metadata().name() + "_"
        + pod.metadata().namespace() + "(" + uid + ")");
  }

  private Behavior<Command> onRemoved(Removed r) {
    if (r.failure() != null) {
      getContext().getLog().warn("pod {}: could not finish its removal: {}", pod.key(), r.failure().getMessage());
      removing = false;
      timers.startSingleTimer(Tick.INSTANCE, ctx.settings().backOffInitial());
      return this;
    }
    return Behaviors.stopped();
  }

  /**
   * Volumes set up (or brought up to date): containers may start. A failure leaves the containers waiting (or,
   * for an update, the files as they were), says why in a FailedMount event when the reason is new, and tries
   * again after a back-off of 1 s doubling to 30 s.
   */
  private Behavior<Command> onVolumesPrepared(VolumesPrepared v) {
    volumesPreparing = false;
    if (v.failure() == null) {
      volumes = v.prepared();
      volumeFailures = 0;
      pendingChecks = 0;
      volumeError = null;
      if (ctx.volumes().needsSync(pod)) {
        timers.startSingleTimer(SyncVolumes.INSTANCE, ctx.settings().volumeSyncPeriod());
      }
      return step();
    }
    Throwable cause = v.failure() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
        ? c.getCause() : v.failure();
    String message = cause instanceof VolumeException e ? e.eventMessage()
        : "MountVolume.SetUp failed: " + cause.getMessage();
    if (cause instanceof VolumeException e && e.pending() && volumes == null && pendingChecks < 8) {
      // a claim being provisioned for this pod: bound within moments, not worth an event yet; look again soon
      pendingChecks++;
      timers.startSingleTimer(Tick.INSTANCE, Duration.ofMillis(250));
      return this;
    }
    if (!message.equals(volumeError)) {
      getContext().getLog().info("pod {}: {}", pod.key(), message);
      ctx.events().warning(pod, "FailedMount", message);
    }
    volumeError = message;
    long delay = Math.min(30_000L, 1000L << Math.min(volumeFailures++, 5));
    timers.startSingleTimer(volumes == null ? Tick.INSTANCE : SyncVolumes.INSTANCE, Duration.ofMillis(delay));
    return this;
  }

  private void prepareVolumes() {
    volumesPreparing = true;
    KubeObject current = pod;
    var downwardApi = ctx.containerSpecs().downwardApi(current);
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> ctx.volumes().prepare(current, downwardApi),
        getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking())), VolumesPrepared::new);
  }

  /** Reconciles, then writes the status if it changed; the one place every message ends. */
  private Behavior<Command> step() {
    reconcile();
    return this;
  }

  private void reconcile() {
    if (gone || pod.metadata().isDeleting()) {
      terminate();
      return;
    }
    String phase = PodStatusBuilder.phase(inits, containers, restartPolicy());
    if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
      Instant now = Instant.now();
      if (ctx.volumes() != null && volumes == null) {
        if (!volumesPreparing && !timers.isTimerActive(Tick.INSTANCE)) prepareVolumes();
      } else if (!sandboxReady) {
        startSandbox();
      } else {
        boolean initsDone = true;
        for (ContainerRun init : inits) {
          if (init.succeeded()) continue;
          initsDone = false;
          if (!init.active() && init.terminated == null) startIfDue(init, now);
          break;
        }
        if (initsDone) {
          for (ContainerRun c : containers) {
            if (!c.active() && c.terminated == null) startIfDue(c, now);
          }
          probe(now);
        }
      }
      scheduleNextTick(now);
    }
    writeStatus();
  }

  private void startSandbox() {
    if (sandboxStarting) return;
    sandboxStarting = true;
    String className = pod.spec().path("runtimeClassName").asText("");
    if (!className.isEmpty() && runtimeHandler() == null) {
      getContext().getSelf().tell(new SandboxReady(new IllegalStateException("RuntimeClass \"" + className
          + "\" not found")));
      return;
    }
    PodSandbox sandbox = sandbox();
    getContext().pipeToSelf(ctx.runtime().runPodSandbox(sandbox), (ok, failure) -> new SandboxReady(failure));
  }

  private void startIfDue(ContainerRun c, Instant now) {
    if (!c.due(now)) {
      if (c.waiting != null && "CrashLoopBackOff".equals(c.waiting.reason())) c.waiting = crashLoop(c);
      if (c.waiting != null && c.waiting.reason().equals("ErrImagePull")) {
        c.waiting = new ContainerRun.Waiting("ImagePullBackOff", "Back-off pulling image \"" + c.image() + "\"");
      }
      return;
    }
    var spec = ctx.containerSpecs().resolve(pod, c.spec, podIp, ctx.hostIp(), volumes);
    if (spec.error() != null) {
      c.waiting = new ContainerRun.Waiting(ContainerEnvironment.CONFIG_ERROR, spec.error());
      c.backOff(now, ctx.settings());
      return;
    }
    c.starting = true;
    int attempt = c.attempts;
    getContext().pipeToSelf(ctx.runtime().startContainer(sandbox(), spec.spec(), attempt), (rc, failure) -> {
      if (failure == null) return new Started(c.name, rc);
      Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      return cause instanceof ContainerStartException e
          ? new StartFailed(c.name, e.reason(), e.getMessage())
          : new StartFailed(c.name, "RunContainerError", String.valueOf(cause.getMessage()));
    });
  }

  private void watchExit(ContainerRun c, RunningContainer rc) {
    getContext().pipeToSelf(rc.exited(), (exit, failure) -> new Exited(c.name, rc.attempt(),
        failure == null ? exit : new ContainerExit(137, "Error", Instant.now(), failure.getMessage())));
  }

  private void scheduleNextTick(Instant now) {
    Instant next = null;
    for (List<ContainerRun> list : List.of(inits, containers)) {
      for (ContainerRun c : list) {
        if (!c.active() && c.notBefore != null && c.notBefore.isAfter(now)
            && (next == null || c.notBefore.isBefore(next))) {
          next = c.notBefore;
        }
        if (c.running != null && !c.stopping && c.probes != null) {
          Instant probeAt = c.probes.nextProbeAt().orElse(null);
          if (probeAt != null && (next == null || probeAt.isBefore(next))) next = probeAt;
        }
      }
    }
    if (next != null) {
      Duration delay = Duration.between(now, next);
      timers.startSingleTimer(Tick.INSTANCE, delay.isNegative() ? Duration.ofMillis(5) : delay.plusMillis(5));
    }
  }

  // ---- termination ----

  private void terminate() {
    if (!terminating) {
      terminating = true;
      ctx.events().normal(pod, "Killing", "Stopping pod " + pod.metadata().name());
    }
    Duration grace = terminationGrace();
    for (List<ContainerRun> list : List.of(inits, containers)) {
      for (ContainerRun c : list) {
        if (c.running != null && !c.stopping) stop(c, grace);
      }
    }
    boolean anyActive = inits.stream().anyMatch(ContainerRun::active)
        || containers.stream().anyMatch(ContainerRun::active) || sandboxStarting;
    if (anyActive || removing) return;
    removing = true;
    var removed = ctx.runtime().removePodSandbox(uid);
    if (ctx.volumes() != null) {
      // the pod's own volumes go with its sandbox (emptyDir data too); hostPath and claims stay
      removed = removed.thenRunAsync(() -> {
        try {
          ctx.volumes().remove(uid);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking()));
    }
    if (gone) {
      removed = removed.thenCompose(v -> ctx.runtime().removePodLogs(uid));
    } else {
      // the pod's processes are gone: now its object may go (grace 0, only this pod: its uid)
      removed = removed.thenCompose(v -> ctx.store().delete(pod.key(), PodStatusBuilder.timestamp(Instant.now()),
              uid, ResourceEntity.ANY_REVISION, 0L, List.of()))
          .thenCompose(r -> ctx.runtime().removePodLogs(uid));
    }
    getContext().pipeToSelf(removed, (v, failure) -> new Removed(failure));
  }

  private void stop(ContainerRun c, Duration grace) {
    c.stopping = true;
    RunningContainer rc = c.running;
    getContext().pipeToSelf(ctx.runtime().stopContainer(rc, grace), (exit, failure) -> new Exited(c.name,
        rc.attempt(), failure == null ? exit : new ContainerExit(137, "Error", Instant.now(), failure.getMessage())));
  }

  /** The deletion's grace period if one was given, else the pod's {@code terminationGracePeriodSeconds}. */
  private Duration terminationGrace() {
    Long deletion = pod.metadata().deletionGracePeriodSeconds();
    long seconds = deletion != null && deletion > 0 ? deletion
        : pod.spec().path("terminationGracePeriodSeconds").asLong(30);
    return Duration.ofSeconds(Math.max(seconds, gone ? 1 : 0));
  }

  // ---- status ----

  private void writeStatus() {
    if (writing || removing || gone) return;
    ObjectNode status = PodStatusBuilder.build(pod.status(), inits, containers,
        new PodStatusBuilder.PodFacts(podIp, ctx.hostIp(), startTime, restartPolicy(), uid), Instant.now());
    if (status.equals(pod.status()) || status.equals(written)) return;
    writing = true;
    written = status;
    getContext().pipeToSelf(ctx.store().replaceStatus(pod.withField("status", status), ResourceEntity.ANY_REVISION),
        (result, failure) -> new StatusWritten(failure == null
            && result instanceof io.troupe.persistence.store.StoreResult.Written));
  }

  // ---- small things ----

  private PodSandbox sandbox() {
    return new PodSandbox(uid, pod.metadata().namespace(), pod.metadata().name(), podIp,
        pod.spec().path("hostname").asText(pod.metadata().name()), pod.metadata().labels(),
        volumes == null ? List.of() : volumes.memoryVolumes(), ctx.containerSpecs().dns(pod),
        new PodNetwork(pod.spec().path("hostNetwork").asBoolean(false), podCidr), runtimeHandler());
  }

  /** The handler of the pod's RuntimeClass; null without {@code runtimeClassName} or while the class is missing. */
  private String runtimeHandler() {
    String className = pod.spec().path("runtimeClassName").asText("");
    if (className.isEmpty()) return null;
    return ctx.store().get(io.troupe.persistence.model.ObjectKey.of("RuntimeClass", null, className))
        .map(s -> s.object().body().path("handler").asText(null)).orElse(null);
  }

  private String restartPolicy() {
    return pod.spec().path("restartPolicy").asText("Always");
  }

  private Optional<ContainerRun> run(String name) {
    for (List<ContainerRun> list : List.of(inits, containers)) {
      for (ContainerRun c : list) if (c.name.equals(name)) return Optional.of(c);
    }
    return Optional.empty();
  }

  private static ContainerRun.Ended ended(int attempt, JsonNode t) {
    Instant finished = instant(t.path("finishedAt").asText(null));
    ContainerExit exit = new ContainerExit(t.path("exitCode").asInt(), t.path("reason").asText("Error"),
        finished, t.path("message").asText(null));
    return new ContainerRun.Ended(attempt, exit, instant(t.path("startedAt").asText(null)));
  }

  private static Instant instant(String text) {
    try {
      return text == null ? Instant.EPOCH : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  private static List<JsonNode> iterable(JsonNode status, String... fields) {
    List<JsonNode> out = new ArrayList<>();
    if (status == null) return out;
    for (String f : fields) status.path(f).forEach(out::add);
    return out;
  }

  private static long revision(KubeObject o) {
    String rv = o.metadata().resourceVersion();
    return rv == null ? 0 : Long.parseLong(rv);
  }

  private static String seconds(Duration d) {
    long s = Math.max(0, (d.toMillis() + 999) / 1000);
    return s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
  }

  @Override
  public String toString() {
    return "PodWorker(" + Objects.toString(pod.key()) + ")";
  }
}
