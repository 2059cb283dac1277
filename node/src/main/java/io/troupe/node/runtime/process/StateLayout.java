package io.troupe.node.runtime.process;

import java.nio.file.Path;

/**
 * Where the runtime keeps what it knows, like kubelet's {@code /var/lib/kubelet/pods/<uid>}: {@code
 * pods/<uid>/sandbox.json} and per attempt of a container {@code pods/<uid>/<container>/<attempt>.json} (the
 * record), {@code .log} (its output, rotated to {@code .log.1} ...), {@code .exit} (its exit status, written
 * by the wrapper), {@code .err} (the wrapper's own errors) and {@code .fifo} (the pipe to the log writer).
 */
record StateLayout(Path root) {
  Path pods() {
    return root.resolve("pods");
  }

  Path pod(String uid) {
    return pods().resolve(uid);
  }

  Path images() {
    return root.resolve("images");
  }

  Path sandbox(String uid) {
    return pod(uid).resolve("sandbox.json");
  }

  /** Created by the pause process once the pod's hostname is set. */
  Path sandboxReady(String uid) {
    return pod(uid).resolve("sandbox.ready");
  }

  Path sandboxErrors(String uid) {
    return pod(uid).resolve("sandbox.err");
  }

  /** The pod's resolver settings, bind-mounted on {@code /etc/resolv.conf} in its mount namespace. */
  Path resolvConf(String uid) {
    return pod(uid).resolve("resolv.conf");
  }

  Path container(String uid, String name) {
    return pod(uid).resolve(name);
  }

  Path attempt(String uid, String name, int attempt, String suffix) {
    return container(uid, name).resolve(attempt + suffix);
  }

  Path record(AttemptRecord r) {
    return attempt(r.podUid(), r.container(), r.attempt(), ".json");
  }

  Path log(AttemptRecord r) {
    return attempt(r.podUid(), r.container(), r.attempt(), ".log");
  }

  Path exit(AttemptRecord r) {
    return attempt(r.podUid(), r.container(), r.attempt(), ".exit");
  }

  Path errors(AttemptRecord r) {
    return attempt(r.podUid(), r.container(), r.attempt(), ".err");
  }

  /** The commands that mount the attempt's volumes ({@link ContainerWrapper#mountScript}). */
  Path mounts(AttemptRecord r) {
    return attempt(r.podUid(), r.container(), r.attempt(), ".mounts");
  }

  Path fifo(AttemptRecord r) {
    return attempt(r.podUid(), r.container(), r.attempt(), ".fifo");
  }
}
