import java.net.URI; import java.net.http.*; import java.util.*; import java.util.concurrent.*; import java.util.concurrent.atomic.*; import java.nio.file.*;
// Open URL RATE SECONDS [PID]: open-loop ConfigMap creates at RATE/s; latency from intended send; the first SKIP s (env, default 5) not counted;
// env WARM: connections opened (a GET /healthz each) before the first create, default 64; env TIMELINE: a file to append each second's max latency to
public class Open { 
  static long cpu(String pid) { try { String s = Files.readString(Path.of("/proc/" + pid + "/stat")); String[] f = s.substring(s.lastIndexOf(')') + 2).split(" "); return Long.parseLong(f[11]) + Long.parseLong(f[12]); } catch (Exception e) { return -1; } }
  static long ctx(String pid) { long n = 0; try (var ds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) { for (Path t : ds) { for (String l : Files.readAllLines(t.resolve("status"))) if (l.contains("ctxt_switches")) n += Long.parseLong(l.split("\\s+")[1]); } } catch (Exception e) { } return n; }
  public static void main(String[] a) throws Exception {
  String base = a[0]; int rate = Integer.parseInt(a[1]); int seconds = Integer.parseInt(a[2]); String pid = a.length > 3 ? a[3] : null;
  String prefix = "o" + Long.toString(System.nanoTime() % 100000000L, 36);
  HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newFixedThreadPool(4)).build();
  // warm connections
  List<CompletableFuture<?>> w = new ArrayList<>(); int warmConns = Integer.parseInt(System.getenv().getOrDefault("WARM", "64")); for (int i = 0; i < warmConns; i++) w.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.discarding())); for (var f : w) f.join();
  int skip = Integer.parseInt(System.getenv().getOrDefault("SKIP", "5")); int total = rate * (seconds + skip); long[] lat = new long[total]; AtomicInteger errs = new AtomicInteger(); CountDownLatch done = new CountDownLatch(total);
  long start = System.nanoTime() + 100_000_000L; long period = 1_000_000_000L / rate; long c0 = 0, x0 = 0; long tc0 = 0;
  for (int i = 0; i < total; i++) {
    long at = start + i * period; long now; while ((now = System.nanoTime()) < at) { long d = at - now; if (d > 200_000) LockSupport_park(d - 100_000); }
    if (i == rate * skip && pid != null) { c0 = cpu(pid); x0 = ctx(pid); tc0 = System.nanoTime(); }
    int ii = i;
    String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + prefix + "-" + i + "\"},\"data\":{\"k\":\"" + "x".repeat(200) + "\"}}";
    http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/configmaps")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
      .whenComplete((r, e) -> { lat[ii] = System.nanoTime() - at; if (e != null || r.statusCode() != 201) errs.incrementAndGet(); done.countDown(); });
  }
  long c1 = pid != null ? cpu(pid) : 0; long x1 = pid != null ? ctx(pid) : 0; long tc1 = System.nanoTime();
  done.await(60, TimeUnit.SECONDS);
  if (System.getenv("TIMELINE") != null) { StringBuilder sb = new StringBuilder(); for (int sec = 0; sec < seconds + skip; sec++) { long mx = 0; int slow = 0; for (int j = sec * rate; j < (sec + 1) * rate; j++) { mx = Math.max(mx, lat[j]); if (lat[j] > 50_000_000L) slow++; } sb.append(String.format("t+%ds(wall %d) max %.0f ms slow(>50ms) %d%n", sec, (System.currentTimeMillis() - (System.nanoTime() - start) / 1_000_000) / 1000 + sec, mx / 1e6, slow)); } Files.writeString(Path.of(System.getenv("TIMELINE")), sb.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND); }
  long[] m = Arrays.copyOfRange(lat, rate * skip, total); Arrays.sort(m); int n = m.length;
  System.out.printf("rate %d: n %d errs %d p50 %.2f p99 %.2f p999 %.2f max %.2f ms", rate, n, errs.get(), m[n/2]/1e6, m[(int)(n*0.99)]/1e6, m[(int)(n*0.999)]/1e6, m[n-1]/1e6);
  if (pid != null) { double secs = (tc1 - tc0) / 1e9; System.out.printf("; server cpu %.2f ms/create, %.1f%% of a core, ctx switches %.1f/create", (c1 - c0) * 10.0 / (rate * secs), (c1 - c0) * 10.0 / 10 / secs , (x1 - x0) / (rate * secs)); }
  System.out.println(); System.exit(0);
  }
  static void LockSupport_park(long ns) { java.util.concurrent.locks.LockSupport.parkNanos(ns); }
}
