package io.troupe.node.runtime.oci;

import java.nio.file.Path;

/**
 * Where the {@code oci} runtime keeps what it knows: {@code runc/} (runc's {@code --root}), {@code
 * pods/<uid>/sandbox.json} with the pod's {@code hosts}, {@code hostname} and {@code resolv.conf}, per attempt of a
 * container {@code pods/<uid>/<container>/<attempt>.json} (the record), {@code .log}, {@code .exit} (written by
 * the shim), {@code .fifo}; and the attempt's OCI bundle {@code bundles/<uid>/<container>/<attempt>/} ({@code
 * config.json}, {@code rootfs/}, the overlay's {@code upper/} and {@code work/}), removed once the attempt ends.
 */
record OciLayout(Path root) {
  Path runcRoot() {
    return root.resolve("runc");
  }

  Path pods() {
    return root.resolve("pods");
  }

  Path pod(String uid) {
    return pods().resolve(uid);
  }

  Path sandbox(String uid) {
    return pod(uid).resolve("sandbox.json");
  }

  Path sandboxReady(String uid) {
    return pod(uid).resolve("sandbox.ready");
  }

  Path sandboxErrors(String uid) {
    return pod(uid).resolve("sandbox.err");
  }

  /** The folder of the pod's {@code hosts}, {@code hostname} and {@code resolv.conf}. */
  Path podFiles(String uid) {
    return pod(uid).resolve("etc");
  }

  Path container(String uid, String name) {
    return pod(uid).resolve(name);
  }

  Path attempt(String uid, String name, int attempt, String suffix) {
    return container(uid, name).resolve(attempt + suffix);
  }

  Path record(OciAttempt a) {
    return attempt(a.podUid(), a.container(), a.attempt(), ".json");
  }

  Path log(OciAttempt a) {
    return attempt(a.podUid(), a.container(), a.attempt(), ".log");
  }

  Path exit(OciAttempt a) {
    return attempt(a.podUid(), a.container(), a.attempt(), ".exit");
  }

  Path fifo(OciAttempt a) {
    return attempt(a.podUid(), a.container(), a.attempt(), ".fifo");
  }

  Path bundles(String uid) {
    return root.resolve("bundles").resolve(uid);
  }

  Path bundle(OciAttempt a) {
    return bundles(a.podUid()).resolve(a.container()).resolve(Integer.toString(a.attempt()));
  }
}
