package io.troupe.node.runtime.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Where the runtime keeps what it knows, like kubelet's {@code /var/lib/kubelet/pods/<uid>}: {@code
 * pods/<uid>/sandbox.json} and per attempt of a container {@code pods/<uid>/<container>/<attempt>.json} (the
 * record), {@code .log} (its output, rotated to {@code .log.1} ...), {@code .exit} (its exit status, written
 * by the wrapper), {@code .err} (the wrapper's own errors) and {@code .fifo} (the pipe to the log writer).
 */
record StateLayout(Path root) {
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

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

  /** Writes a record whole or not at all (a crash leaves the old one), readable by root only (env). */
  static void write(Path file, Object value) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, JSON.writeValueAsBytes(value));
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static <T> Optional<T> read(Path file, Class<T> type) {
    try {
      return Optional.of(JSON.readValue(file.toFile(), type));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
