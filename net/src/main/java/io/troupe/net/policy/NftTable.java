package io.troupe.net.policy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code nft} on a ruleset: the whole script is one transaction, applied entirely or not at all. The program
 * rather than netlink from Java: the JDK has no netlink, and {@code nft list table inet troupe} shows an
 * administrator exactly what was applied. Blocking: run off the actor.
 */
final class NftTable {
  private static final List<String> DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin");
  private static final long DEADLINE_SECONDS = 30;

  private NftTable() {}

  static Optional<Path> program() {
    return DIRS.stream().map(d -> Path.of(d, "nft")).filter(Files::isExecutable).findFirst();
  }

  /** Applies {@code script} ({@code nft -f -}); an {@link IllegalStateException} with nft's words otherwise. */
  static void apply(String script) {
    run(List.of("-f", "-"), script);
  }

  /** Removes the table {@code inet <table>} if it is there. */
  static void delete(String table) {
    run(List.of("-f", "-"), "add table inet " + table + "\ndelete table inet " + table + "\n");
  }

  private static void run(List<String> args, String input) {
    Path nft = program().orElseThrow(() -> new IllegalStateException("nft (nftables) is not installed"));
    try {
      Process p = new ProcessBuilder(java.util.stream.Stream.concat(java.util.stream.Stream.of(nft.toString()),
          args.stream()).toList()).redirectErrorStream(true).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
      String output = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("nft did not finish within " + DEADLINE_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("nft failed (" + p.exitValue() + "): " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + nft + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while nft ran", e);
    }
  }
}
