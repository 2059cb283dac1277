package io.troupe.node.runtime;

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
 * The JSON records a runtime keeps in its state folder (sandboxes, container attempts), which outlive the agent and
 * are read again by {@link ContainerRuntime#recover()}: the {@code process} and {@code oci} runtimes write them alike.
 */
public final class RecordFiles {
  public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private RecordFiles() {}

  /** Writes a record whole or not at all (a crash leaves the old one), readable by root only (env). */
  public static void write(Path file, Object value) throws IOException {
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

  /** The record in {@code file}; empty when it is missing or unreadable (half-written by a runtime of old). */
  public static <T> Optional<T> read(Path file, Class<T> type) {
    try {
      return Optional.of(JSON.readValue(file.toFile(), type));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Whether a pod uid or container name may name a folder of the state (no path of its own: logs are asked by it). */
  public static boolean safeName(String name) {
    return name != null && name.matches("[A-Za-z0-9][A-Za-z0-9._-]*");
  }

  /** As {@link #safeName}, or the start fails with {@code CreateContainerConfigError}. */
  public static void requireSafeName(String what, String value) {
    if (!safeName(value)) {
      throw new ContainerStartException("CreateContainerConfigError", "invalid " + what + " \"" + value + "\"");
    }
  }
}
