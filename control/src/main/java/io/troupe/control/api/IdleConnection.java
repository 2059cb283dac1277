package io.troupe.control.api;

import java.time.Duration;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import scala.concurrent.ExecutionContext;

/**
 * Closes a connection that has had no request in progress for {@code timeout}: since it opened, or since its
 * last response ended. A request is in progress from its complete headers until its response's last byte (a
 * watch: until it ends). So a client that opens connections and sends header bytes slowly, or never, holds each
 * for at most {@code timeout} (slow-loris). Pekko HTTP bounds neither the time to receive a request's headers
 * (akka-http issue 813 asks for it) nor, usefully, idleness: its idle-timeout counts any byte as activity and
 * is an hour here so that quiet watches live. Kubernetes' Go server has {@code ReadHeaderTimeout} 32 s.
 *
 * <p>One per connection; its methods are called from the connection's stream and from the scheduler.
 */
final class IdleConnection {
  private final Scheduler scheduler;
  private final Duration timeout;
  private final Runnable close;
  private final ExecutionContext executor;
  private int inProgress;
  private boolean upgraded;
  private Cancellable timer;

  IdleConnection(Scheduler scheduler, Duration timeout, Runnable close, ExecutionContext executor) {
    this.scheduler = scheduler;
    this.timeout = timeout;
    this.close = close;
    this.executor = executor;
    arm();
  }

  synchronized void requestStarted() {
    inProgress++;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /**
   * The response of a request: the request ends with its response's last byte. A WebSocket upgrade hands the
   * connection over for good, and is never closed as idle.
   */
  HttpResponse track(HttpResponse response) {
    if (response.status().intValue() == 101) {
      synchronized (this) {
        upgraded = true;
      }
      return response;
    }
    ResponseEntity entity = response.entity();
    if (entity.isStrict() || entity.isKnownEmpty()) {
      requestEnded();
      return response;
    }
    Flow<ByteString, ByteString, ?> counted = Flow.of(ByteString.class).watchTermination((mat, ended) -> {
      ended.whenComplete((done, failure) -> requestEnded());
      return mat;
    });
    ResponseEntity tracked = entity.isChunked()
        ? HttpEntities.createChunked(entity.getContentType(), entity.getDataBytes().via(counted))
        : HttpEntities.create(entity.getContentType(), entity.getDataBytes().via(counted));
    return response.withEntity(tracked);
  }

  synchronized void requestEnded() {
    inProgress = Math.max(0, inProgress - 1);
    arm();
  }

  /** Stops the timer: the connection has ended. */
  synchronized void ended() {
    upgraded = true;
    if (timer != null) timer.cancel();
  }

  private synchronized void arm() {
    if (inProgress > 0 || upgraded) return;
    if (timer != null) timer.cancel();
    timer = scheduler.scheduleOnce(timeout, this::expire, executor);
  }

  private void expire() {
    synchronized (this) {
      if (inProgress > 0 || upgraded) return;
    }
    close.run();
  }
}
