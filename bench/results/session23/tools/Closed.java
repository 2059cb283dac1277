import java.net.URI; import java.net.http.*; import java.util.concurrent.*; import java.util.concurrent.atomic.*;
// Closed URL SECONDS CLIENTS: closed-loop ConfigMap creates; creates/s
public class Closed { public static void main(String[] a) throws Exception {
  String base = a[0]; int seconds = Integer.parseInt(a[1]); int clients = Integer.parseInt(a[2]);
  String prefix = "c" + Long.toString(System.nanoTime() % 100000000L, 36);
  HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  AtomicLong n = new AtomicLong(); long end = System.nanoTime() + seconds * 1_000_000_000L; Thread[] ts = new Thread[clients];
  for (int c = 0; c < clients; c++) { int cc = c; ts[c] = new Thread(() -> { int i = 0; while (System.nanoTime() < end) { try {
    String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + prefix + "-" + cc + "-" + (i++) + "\"},\"data\":{\"k\":\"" + "x".repeat(200) + "\"}}";
    var r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/configmaps")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() == 201) n.incrementAndGet(); } catch (Exception e) { throw new RuntimeException(e); } } }); ts[c].start(); }
  for (Thread t : ts) t.join();
  System.out.printf("clients %d: %d creates, %.0f/s%n", clients, n.get(), n.get() / (double) seconds);
}}
