package io.troupe.bench.scale;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's memory after a full GC ({@code jcmd <pid> GC.run}): the heap in use from its own {@code /metrics}
 * (jvm_memory_used_bytes, area heap) and the process's resident set from {@code /proc/<pid>/status} (VmRSS).
 */
final class ServerMemory {
  private ServerMemory() {}

  record Outcome(int nodes, int pods, double heapUsedMiB, double heapCommittedMiB, double rssMiB) {}

  /**
   * Also writes the 40 largest classes of the live heap ({@code jcmd GC.class_histogram}, itself a full GC) to
   * {@code heap-<nodes>-nodes-<pods>-pods.txt} under {@code out}: where the heap goes, for the report.
   */
  static Outcome measure(ApiClient api, long pid, int nodes, int pods, Path out) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Files.createDirectories(out);
    Path histogram = out.resolve("heap-" + nodes + "-nodes-" + pods + "-pods.txt");
    Process classes = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
        .redirectErrorStream(true).redirectOutput(histogram.toFile()).start();
    if (!classes.waitFor(2, TimeUnit.MINUTES)) classes.destroyForcibly();
    List<String> lines = Files.readAllLines(histogram);
    Files.write(histogram, lines.subList(0, Math.min(lines.size(), 44)));
    Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!gc.waitFor(2, TimeUnit.MINUTES)) gc.destroyForcibly();
    String metrics = api.send(api.get("/metrics"), 200);
    double used = gauge(metrics, "jvm_memory_used_bytes\\{area=\"heap\"\\}");
    double committed = gauge(metrics, "jvm_memory_committed_bytes\\{area=\"heap\"\\}");
    double rss = Double.NaN;
    Matcher m = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc/" + pid
        + "/status")));
    if (m.find()) rss = Long.parseLong(m.group(1)) / 1024.0;
    return new Outcome(nodes, pods, mib(used), mib(committed), OpenLoop.round(rss));
  }

  private static double gauge(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static double mib(double bytes) {
    return OpenLoop.round(bytes / (1 << 20));
  }
}
