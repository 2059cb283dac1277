package io.troupe.node.probe;

import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.ExecResult;
import io.troupe.node.runtime.RunningContainer;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Runs one probe of a container, as the kubelet's prober does, without ever blocking the caller: the
 * returned stage completes on the actor system's threads (or the runtime's, for exec), never later than the
 * probe's {@code timeoutSeconds} (plus a second for exec, whose timeout the runtime enforces).
 *
 * <ul>
 *   <li>exec: {@link ContainerRuntime#exec}; success iff the command exits 0; a timeout is a failure.
 *   <li>httpGet: one connection per probe (no pool, no keep-alive, no retry: the kubelet disables
 *       keep-alive for probes too); success iff the status is 200 to 399. Redirects are not followed: a
 *       3xx counts as success (the kubelet follows a redirect to the same host and counts one to another
 *       host as success). HTTPS is accepted without verifying the certificate or the host name, as the
 *       kubelet does.
 *   <li>tcpSocket: success once a connection is established (Pekko Streams {@code Tcp}, which resolves
 *       and connects on Pekko's I/O threads with a connect timeout; the connection is closed at once).
 * </ul>
 */
public final class Prober {
  private final ActorSystem<?> system;
  private final HttpGetProbe httpGet;
  private final TcpSocketProbe tcpSocket;

  private Prober(ActorSystem<?> system) {
    this.system = system;
    this.httpGet = new HttpGetProbe(system);
    this.tcpSocket = new TcpSocketProbe(system);
  }

  public static Prober create(ActorSystem<?> system) {
    return new Prober(system);
  }

  /**
   * Probes {@code container} once.
   *
   * @param podIp the host of httpGet and tcpSocket probes that name none
   * @param runtime runs exec probes inside the container
   */
  public CompletionStage<ProbeResult> probe(ProbeSpec spec, String podIp, RunningContainer container,
      ContainerRuntime runtime) {
    try {
      ProbeSpec.Handler handler = spec.handler();
      if (handler instanceof ProbeSpec.Exec) {
        return exec(spec, ((ProbeSpec.Exec) handler).command(), container, runtime);
      }
      if (handler instanceof ProbeSpec.Invalid) {
        return CompletableFuture.completedFuture(
            ProbeResult.errored(spec.type(), ((ProbeSpec.Invalid) handler).reason()));
      }
      String host = handler instanceof ProbeSpec.HttpGet
          ? ((ProbeSpec.HttpGet) handler).host() : ((ProbeSpec.TcpSocket) handler).host();
      if (host == null && (podIp == null || podIp.isEmpty())) {
        return CompletableFuture.completedFuture(ProbeResult.errored(spec.type(), "the pod has no IP yet"));
      }
      String target = host == null ? podIp : host;
      if (handler instanceof ProbeSpec.HttpGet) return httpGet.run(spec, (ProbeSpec.HttpGet) handler, target);
      return tcpSocket.run(spec, ((ProbeSpec.TcpSocket) handler).port(), target);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(ProbeResult.errored(spec.type(), String.valueOf(e.getMessage())));
    }
  }

  private CompletionStage<ProbeResult> exec(ProbeSpec spec, List<String> command, RunningContainer container,
      ContainerRuntime runtime) {
    String quoted = quote(String.join(" ", command));
    if (command.isEmpty()) {
      return CompletableFuture.completedFuture(ProbeResult.errored(spec.type(), "exec: no command"));
    }
    CompletionStage<ProbeResult> run = runtime.exec(container, command, spec.timeout())
        .handle((result, error) -> error != null
            ? ProbeResult.failed(spec.type(), "command " + quoted + " failed: " + rootMessage(error))
            : execResult(spec.type(), quoted, result));
    return within(system, spec.timeout().plusSeconds(1), run,
        () -> ProbeResult.failed(spec.type(), "command " + quoted + " timed out"), () -> {});
  }

  /**
   * As the kubelet: the command's output is the message; Troupe says which command exited how when it
   * wrote nothing.
   */
  private static ProbeResult execResult(ProbeType type, String quotedCommand, ExecResult result) {
    if (result.timedOut()) return ProbeResult.failed(type, "command " + quotedCommand + " timed out");
    if (result.exitCode() == 0) return ProbeResult.succeeded();
    String output = result.output() == null ? "" : result.output().strip();
    return ProbeResult.failed(type,
        output.isEmpty() ? "command " + quotedCommand + " exited with " + result.exitCode() : output);
  }

  /**
   * {@code work}, or {@code onTimeout} if it has not completed after {@code timeout} (then {@code abort} runs
   * to let go of the work's resources). The timer runs on the actor system's scheduler.
   */
  static CompletionStage<ProbeResult> within(ActorSystem<?> system, Duration timeout,
      CompletionStage<ProbeResult> work, Supplier<ProbeResult> onTimeout, Runnable abort) {
    CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    Cancellable timer = system.scheduler().scheduleOnce(timeout, () -> {
      if (result.complete(onTimeout.get())) abort.run();
    }, system.executionContext());
    work.whenComplete((value, error) -> {
      timer.cancel();
      if (error != null) result.completeExceptionally(error);
      else result.complete(value);
    });
    return result;
  }

  /** {@code host:port}, with an IPv6 address in brackets, as Go's {@code net.JoinHostPort}. */
  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * How Go's dialer reports a failed connection ({@code dial tcp 10.1.0.5:80: connect: connection refused}),
   * from what Pekko's TCP layer reports.
   */
  static String dialError(String hostPort, Throwable error) {
    String prefix = "dial tcp " + hostPort + ": ";
    for (Throwable t = error; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      if (message.contains("Connect timeout")) return prefix + "i/o timeout";
      if (t instanceof NoRouteToHostException) return prefix + "connect: no route to host";
      if (t instanceof UnknownHostException) return prefix + "lookup " + message + ": no such host";
      if (t instanceof ConnectException) return prefix + "connect: " + message.toLowerCase(java.util.Locale.ROOT);
    }
    String message = rootMessage(error);
    if (message.contains("Connection refused")) return prefix + "connect: connection refused";
    if (message.contains("Connect timeout")) return prefix + "i/o timeout";
    return prefix + message;
  }

  static String rootMessage(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** Go's {@code %q} for the plain strings of commands and URLs. */
  static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
