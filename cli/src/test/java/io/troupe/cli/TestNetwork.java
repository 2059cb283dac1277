package io.troupe.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A network that a test can cut: JVM {@code i} runs in a network namespace of its own ({@code troupe-pt-i}),
 * joined to the root namespace by a veth pair (root end 10.213.i.1/24, namespace end 10.213.i.2/24, the default
 * route through the root end), and the root namespace routes between them. A partition is DROP rules in a chain
 * of our own ({@code TROUPE-PT}, jumped to from FORWARD): packets between the two sides vanish, as on a real cut
 * (no reset, no refusal). Traffic between a namespace and the root namespace itself (the test's HTTP clients, its
 * relay to PostgreSQL) is not forwarded, so a partition leaves it alone.
 *
 * <p>Separate namespaces because on one loopback every JVM's connections come from 127.0.0.1, and no rule could
 * tell the JVMs apart. Needs root, {@code ip} (iproute2) and {@code iptables} ({@link #unavailable()} says why
 * not). Leftovers of an aborted run are removed when a network is created.
 */
final class TestNetwork implements AutoCloseable {
  private static final String NAMESPACE = "troupe-pt-";
  private static final String CHAIN = "TROUPE-PT";
  private static final String ALL = "10.213.0.0/16";
  private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
  private static final String IP = executable("ip");
  private static final String IPTABLES = executable("iptables");

  private final int size;
  private final String forwardingBefore;

  private TestNetwork(int size, String forwardingBefore) {
    this.size = size;
    this.forwardingBefore = forwardingBefore;
  }

  /** Why this host cannot run a TestNetwork, or empty when it can. */
  static Optional<String> unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) return Optional.of("network namespaces need root");
    if (IP == null) return Optional.of("no ip command (iproute2)");
    if (IPTABLES == null) return Optional.of("no iptables command (apt-get install iptables)");
    try {
      run(IPTABLES, "-w", "-S", "FORWARD");
    } catch (IllegalStateException e) {
      return Optional.of("iptables cannot read the filter table: " + e.getMessage());
    }
    return Optional.empty();
  }

  /** Namespaces 0 to size - 1, connected, with nothing cut yet. */
  static TestNetwork create(int size) throws IOException {
    removeLeftovers(size);
    String forwarding = Files.readString(IP_FORWARD).trim();
    TestNetwork network = new TestNetwork(size, forwarding);
    try {
      for (int i = 0; i < size; i++) network.connect(i);
      Files.writeString(IP_FORWARD, "1");
      run(IPTABLES, "-w", "-N", CHAIN);
      network.heal();
      run(IPTABLES, "-w", "-I", "FORWARD", "-j", CHAIN);
      return network;
    } catch (RuntimeException | IOException e) {
      network.close();
      throw e;
    }
  }

  /** The address JVM {@code i} listens on, in its namespace. */
  String address(int i) {
    return "10.213." + i + ".2";
  }

  /** The root namespace's end of JVM {@code i}'s veth: what that JVM reaches the root namespace at. */
  String rootAddress(int i) {
    return "10.213." + i + ".1";
  }

  /** What runs a command in JVM {@code i}'s namespace (it execs the command: the process is the command's). */
  List<String> commandPrefix(int i) {
    return List.of(IP, "netns", "exec", NAMESPACE + i);
  }

  /** Cuts the JVMs of {@code side} from all others, both ways. */
  void partition(Set<Integer> side) {
    for (int a : side) {
      for (int b = 0; b < size; b++) {
        if (side.contains(b)) continue;
        drop(subnet(a), subnet(b));
        drop(subnet(b), subnet(a));
      }
    }
  }

  /** Removes every cut. */
  void heal() {
    run(IPTABLES, "-w", "-F", CHAIN);
    // forwarded between our namespaces even where the FORWARD chain's policy drops (as Docker's does)
    run(IPTABLES, "-w", "-A", CHAIN, "-s", ALL, "-d", ALL, "-j", "ACCEPT");
  }

  @Override
  public void close() {
    removeLeftovers(size);
    try {
      Files.writeString(IP_FORWARD, forwardingBefore);
    } catch (IOException e) {
      // the forwarding setting is left on: harmless without routes to forward
    }
  }

  private void connect(int i) {
    String ns = NAMESPACE + i;
    run(IP, "netns", "add", ns);
    run(IP, "link", "add", ns, "type", "veth", "peer", "name", "eth0", "netns", ns);
    run(IP, "addr", "add", rootAddress(i) + "/24", "dev", ns);
    run(IP, "link", "set", ns, "up");
    run(IP, "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
    run(IP, "-n", ns, "link", "set", "eth0", "up");
    // the kubelet endpoint listens on 127.0.0.1
    run(IP, "-n", ns, "link", "set", "lo", "up");
    run(IP, "-n", ns, "route", "add", "default", "via", rootAddress(i));
  }

  private void drop(String from, String to) {
    run(IPTABLES, "-w", "-I", CHAIN, "-s", from, "-d", to, "-j", "DROP");
  }

  private static String subnet(int i) {
    return "10.213." + i + ".0/24";
  }

  /**
   * The chain, the namespaces and the veths of this or an earlier run, and the processes an aborted run left in
   * its namespaces (its server JVMs); whatever is not there is skipped.
   */
  private static void removeLeftovers(int size) {
    while (succeeds(IPTABLES, "-w", "-D", "FORWARD", "-j", CHAIN)) {
      // a jump inserted by each aborted run
    }
    succeeds(IPTABLES, "-w", "-F", CHAIN);
    succeeds(IPTABLES, "-w", "-X", CHAIN);
    for (int i = 0; i < size; i++) {
      killProcessesIn(NAMESPACE + i);
      // deleting the namespace deletes its end of the veth, and so the pair
      succeeds(IP, "netns", "delete", NAMESPACE + i);
      succeeds(IP, "link", "delete", NAMESPACE + i);
    }
  }

  private static void killProcessesIn(String namespace) {
    String pids;
    try {
      pids = run(IP, "netns", "pids", namespace);
    } catch (IllegalStateException e) {
      return; // no such namespace
    }
    pids.lines().filter(l -> !l.isBlank()).map(l -> ProcessHandle.of(Long.parseLong(l.trim())))
        .forEach(p -> p.ifPresent(ProcessHandle::destroyForcibly));
  }

  private static boolean succeeds(String... command) {
    try {
      run(command);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** Runs a command to its end; throws with its output when it fails. */
  private static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + ": no end within 30 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(String.join(" ", command) + ": interrupted", e);
    }
  }

  /** The command's path in PATH or the sbin directories (not always in a non-login PATH), or null. */
  private static String executable(String name) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable)
        .map(Path::toString).findFirst().orElse(null);
  }
}
