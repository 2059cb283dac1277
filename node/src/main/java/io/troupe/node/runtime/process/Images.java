package io.troupe.node.runtime.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.node.runtime.ContainerStartException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Finds a container's image. {@code host} is the host's own filesystem. Any other reference keeps only its
 * last path segment without tag or digest ({@code registry.example:5000/team/web:1.2@sha256:...} is
 * {@code web}) and names, in the image dir, a folder {@code web/} or a tarball {@code web.tar},
 * {@code web.tar.gz} or {@code web.tgz}. A tarball is unpacked once, with the host's {@code tar} (the JDK has
 * no tar reader and this module carries no archive library), into {@code <state>/images/<name>-<version>/},
 * the version being the tarball's size and modification time: a replaced tarball is unpacked again, while
 * the containers of the old one keep their folder.
 *
 * <p>An image folder is not a root filesystem: containers run on the host's, in the image's folder, with its
 * {@code bin/} first in {@code PATH} and {@code TROUPE_IMAGE_ROOT} naming it.
 */
final class Images {
  static final String HOST = "host";
  private static final String[] TARBALLS = {".tar", ".tar.gz", ".tgz"};

  /** An image found: its folder (empty for {@code host}) and its defaults. */
  record Image(String name, Optional<Path> root, ImageConfig config) {}

  private final Path imageDir;
  private final Path unpackDir;
  private final HostTools tools;
  private final ObjectMapper json;
  private final ConcurrentHashMap<Path, Object> unpacking = new ConcurrentHashMap<>();

  Images(Path imageDir, Path unpackDir, HostTools tools, ObjectMapper json) {
    this.imageDir = imageDir;
    this.unpackDir = unpackDir;
    this.tools = tools;
    this.json = json;
  }

  /** The name an image reference is looked up by. */
  static String localName(String reference) {
    String name = reference.trim();
    name = name.substring(name.lastIndexOf('/') + 1);
    int at = name.indexOf('@');
    if (at >= 0) {
      name = name.substring(0, at);
    }
    int colon = name.indexOf(':');
    return colon >= 0 ? name.substring(0, colon) : name;
  }

  /** Blocking: may unpack a tarball. */
  Image resolve(String reference) {
    String name = localName(reference == null ? "" : reference);
    if (name.equals(HOST)) {
      return new Image(name, Optional.empty(), ImageConfig.EMPTY);
    }
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new ContainerStartException("InvalidImageName", "invalid image name \"" + reference + "\"");
    }
    Path folder = imageDir.resolve(name);
    Path root = Files.isDirectory(folder) ? folder : unpacked(reference, name);
    return new Image(name, Optional.of(root), config(root));
  }

  private Path unpacked(String reference, String name) {
    List<String> tried = new ArrayList<>(List.of(name + "/"));
    for (String suffix : TARBALLS) {
      Path tarball = imageDir.resolve(name + suffix);
      tried.add(name + suffix);
      if (Files.isRegularFile(tarball)) {
        return unpack(name, tarball);
      }
    }
    throw new ContainerStartException("ErrImagePull", "image \"" + reference + "\" not found in " + imageDir
        + ": none of " + String.join(", ", tried));
  }

  private Path unpack(String name, Path tarball) {
    Path target;
    try {
      target = unpackDir.resolve(name + "-" + Long.toHexString(Files.size(tarball)) + "-"
          + Long.toHexString(Files.getLastModifiedTime(tarball).toMillis()));
    } catch (IOException e) {
      throw pullError(tarball, e.toString());
    }
    synchronized (unpacking.computeIfAbsent(target, t -> new Object())) {
      if (Files.isDirectory(target)) {
        return target;
      }
      Path tar = HostTools.require(tools.tar(), "tar");
      Path partial = unpackDir.resolve(target.getFileName() + ".partial");
      try {
        Files.createDirectories(unpackDir);
        deleteTree(partial);
        Files.createDirectories(partial);
        Path errors = unpackDir.resolve(target.getFileName() + ".err");
        Process p = new ProcessBuilder(tar.toString(), "-xf", tarball.toString(), "-C", partial.toString())
            .redirectErrorStream(true).redirectOutput(errors.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw pullError(tarball, "tar took over 5 minutes");
        }
        String output = Files.readString(errors, StandardCharsets.UTF_8).trim();
        Files.deleteIfExists(errors);
        if (p.exitValue() != 0) {
          throw pullError(tarball, "tar exited with " + p.exitValue() + ": " + output);
        }
        try {
          Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
          Files.move(partial, target);
        }
        return target;
      } catch (IOException e) {
        throw pullError(tarball, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw pullError(tarball, "interrupted");
      } finally {
        deleteTree(partial);
      }
    }
  }

  private ImageConfig config(Path root) {
    Path file = root.resolve("image.json");
    if (!Files.isRegularFile(file)) {
      return ImageConfig.EMPTY;
    }
    try {
      return json.readValue(file.toFile(), ImageConfig.class);
    } catch (IOException e) {
      throw new ContainerStartException("CreateContainerConfigError", "cannot read " + file + ": " + e.getMessage());
    }
  }

  private static ContainerStartException pullError(Path tarball, String why) {
    return new ContainerStartException("ErrImagePull", "cannot unpack image " + tarball + ": " + why);
  }

  static void deleteTree(Path path) {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort; what is left is reported by the caller's next attempt
        }
      });
    } catch (IOException e) {
      // gone meanwhile
    }
  }
}
