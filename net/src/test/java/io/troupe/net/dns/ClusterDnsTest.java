package io.troupe.net.dns;

import static io.troupe.net.dns.DnsObjects.endpoints;
import static io.troupe.net.dns.DnsObjects.pod;
import static io.troupe.net.dns.DnsObjects.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The cluster DNS server of a worker JVM on a real control plane: objects written through the store, questions
 * asked over real UDP and TCP sockets with dnsjava's resolver (and {@code dig} where installed), at the kube-dns
 * ClusterIP on port 53 (root here; without root the test cannot bind port 53 and is skipped).
 */
class ClusterDnsTest {
  static final String DNS_IP = "127.32.0.10";
  static final Duration DEADLINE = Duration.ofSeconds(10);
  static ControlPlane plane;
  static Store store;
  static ClusterDns dns;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "port 53 needs root");
    plane = TestControlPlane.start();
    store = plane.store().as("dns-test");
    // the IPAM part creates it at control-plane start; a plane without it gets it here
    create(service("kube-system", "kube-dns", DNS_IP, "dns:53/UDP", "dns-tcp:53/TCP"), true);
    create(service("shop", "web", "127.32.1.1", "http:80/TCP", "metrics:9090/TCP"), false);
    create(service("shop", "db", "None", "pg:5432/TCP"), false);
    create(endpoints("shop", "db", List.of("127.64.0.5=db-0", "127.64.0.6=db-1"), List.of("127.64.0.7=db-2"),
        "pg:5432/TCP"), false);
    create(pod("shop", "db-0", "127.64.0.5", "db-0", "db"), false);
    create(pod("shop", "db-1", "127.64.0.6", null, null), false);
    create(pod("shop", "db-2", "127.64.0.7", null, null), false);
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) many.add("127.64.9." + i);
    create(service("shop", "many", "None", "9/TCP"), false);
    create(endpoints("shop", "many", many, List.of(), "9/TCP"), false);
    dns = ClusterDns.start(plane.system(), plane.store(), plane.system().settings().config(), "127.0.0.1");
    dns.whenListening(DNS_IP).toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    awaitUntil(() -> rcode(ask("web.shop.svc.cluster.local.", Type.A, false)) == Rcode.NOERROR, "records synced");
  }

  @AfterAll
  static void stop() throws Exception {
    if (dns != null) dns.close();
    if (plane != null) plane.close();
  }

  static void create(KubeObject object, boolean mayExist) throws Exception {
    StoreResult r = store.create(object).toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (r instanceof StoreResult.Refused refused
        && !(mayExist && refused.reason() == ResourceEntity.Reason.ALREADY_EXISTS)) {
      throw new AssertionError("create " + object.key() + ": " + refused.message());
    }
  }

  static void delete(String key) throws Exception {
    StoreResult r = store.delete(key, Instant.now().toString(), null, ResourceEntity.ANY_REVISION)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertInstanceOf(StoreResult.Written.class, r, key);
  }

  static SimpleResolver resolver(String ip, boolean tcp) throws IOException {
    SimpleResolver r = new SimpleResolver(InetAddress.getByName(ip));
    r.setPort(53);
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(2));
    return r;
  }

  static Message ask(String name, int type, boolean tcp) {
    try {
      return resolver(DNS_IP, tcp).send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    } catch (IOException e) {
      throw new AssertionError(name + " over " + (tcp ? "TCP" : "UDP") + ": " + e, e);
    }
  }

  static int rcode(Message m) {
    return m.getRcode();
  }

  static Set<String> answers(Message m) {
    Set<String> out = new TreeSet<>();
    for (Record r : m.getSection(Section.ANSWER)) out.add(r.rdataToString());
    return out;
  }

  static void awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + DEADLINE + ": " + what);
      Thread.sleep(20);
    }
  }

  @Test
  void clusterIpServiceOverUdpAndTcp() {
    for (boolean tcp : new boolean[] {false, true}) {
      Message m = ask("web.shop.svc.cluster.local.", Type.A, tcp);
      assertEquals(Rcode.NOERROR, rcode(m));
      assertEquals(Set.of("127.32.1.1"), answers(m));
      assertTrue(m.getHeader().getFlag(Flags.AA));
      assertFalse(m.getHeader().getFlag(Flags.RA));
      assertEquals(5, m.getSection(Section.ANSWER).get(0).getTTL());
    }
  }

  @Test
  void headlessServiceListsReadyPodsOnly() {
    for (boolean tcp : new boolean[] {false, true}) {
      assertEquals(Set.of("127.64.0.5", "127.64.0.6"), answers(ask("db.shop.svc.cluster.local.", Type.A, tcp)));
    }
    assertEquals(Set.of("127.64.0.5"), answers(ask("db-0.db.shop.svc.cluster.local.", Type.A, false)));
  }

  @Test
  void srvForANamedPort() {
    for (boolean tcp : new boolean[] {false, true}) {
      Message m = ask("_http._tcp.web.shop.svc.cluster.local.", Type.SRV, tcp);
      SRVRecord srv = (SRVRecord) m.getSection(Section.ANSWER).get(0);
      assertEquals(80, srv.getPort());
      assertEquals("web.shop.svc.cluster.local.", srv.getTarget().toString());
    }
    assertEquals(Set.of("0 50 5432 db-0.db.shop.svc.cluster.local.", "0 50 5432 127-64-0-6.db.shop.svc.cluster.local."),
        answers(ask("_pg._tcp.db.shop.svc.cluster.local.", Type.SRV, false)));
  }

  @Test
  void podRecord() {
    assertEquals(Set.of("127.64.0.7"), answers(ask("127-64-0-7.shop.pod.cluster.local.", Type.A, false)));
    assertEquals(Rcode.NXDOMAIN, rcode(ask("127-64-0-99.shop.pod.cluster.local.", Type.A, true)));
  }

  @Test
  void unknownServiceIsNxdomainAndOutsideTheDomainIsRefused() {
    for (boolean tcp : new boolean[] {false, true}) {
      assertEquals(Rcode.NXDOMAIN, rcode(ask("nope.shop.svc.cluster.local.", Type.A, tcp)));
      Message outside = ask("example.com.", Type.A, tcp);
      assertEquals(Rcode.REFUSED, rcode(outside));
      assertFalse(outside.getHeader().getFlag(Flags.RA));
      assertEquals(Rcode.NOERROR, rcode(ask("web.shop.svc.cluster.local.", Type.AAAA, tcp)));
      assertTrue(ask("web.shop.svc.cluster.local.", Type.AAAA, tcp).getSection(Section.ANSWER).isEmpty());
    }
  }

  @Test
  void aServiceCreatedAfterStartResolvesThenGoesWhenDeleted() throws Exception {
    assertEquals(Rcode.NXDOMAIN, rcode(ask("late.shop.svc.cluster.local.", Type.A, false)));
    long created = System.nanoTime();
    create(service("shop", "late", "127.32.1.9", "80/TCP"), false);
    awaitUntil(() -> answers(ask("late.shop.svc.cluster.local.", Type.A, false)).equals(Set.of("127.32.1.9")),
        "late resolves");
    long resolvedMs = (System.nanoTime() - created) / 1_000_000;
    assertTrue(resolvedMs < 2000, "resolvable after " + resolvedMs + " ms");
    delete(ObjectKey.of("Service", "shop", "late"));
    awaitUntil(() -> rcode(ask("late.shop.svc.cluster.local.", Type.A, true)) == Rcode.NXDOMAIN, "late gone");
  }

  @Test
  void largeAnswersAreTruncatedOverUdpAndWholeOverTcp() throws Exception {
    // 100 addresses: more than 512 bytes (no EDNS) and than the 1232 the server offers with EDNS
    for (boolean edns : new boolean[] {false, true}) {
      SimpleResolver udp = resolver(DNS_IP, false);
      udp.setIgnoreTruncation(true);
      if (edns) udp.setEDNS(0, 4096, 0, List.of());
      else udp.setEDNS(-1);
      Message cut = udp.send(Message.newQuery(Record.newRecord(Name.fromString("many.shop.svc.cluster.local."),
          Type.A, DClass.IN)));
      assertTrue(cut.getHeader().getFlag(Flags.TC), "edns " + edns);
      assertTrue(cut.numBytes() <= (edns ? DnsExchange.UDP_PAYLOAD : 512), "edns " + edns + ": " + cut.numBytes());
    }
    // the resolver, told it was cut, asks again over TCP on its own
    assertEquals(100, answers(resolver(DNS_IP, false).send(Message.newQuery(Record.newRecord(
        Name.fromString("many.shop.svc.cluster.local."), Type.A, DClass.IN)))).size());
  }

  @Test
  void garbageIsSurvived() throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      // a header announcing one question, then a name whose compression pointer points nowhere
      byte[] garbage = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, (byte) 0xff, 0, 1, 0, 1};
      socket.send(new DatagramPacket(garbage, garbage.length, new InetSocketAddress(DNS_IP, 53)));
      socket.setSoTimeout(2000);
      DatagramPacket reply = new DatagramPacket(new byte[512], 512);
      socket.receive(reply);
      Message m = new Message(java.util.Arrays.copyOf(reply.getData(), reply.getLength()));
      assertEquals(Rcode.FORMERR, m.getRcode());
      assertEquals(0x1234, m.getHeader().getID());
      // less than a header: no answer at all
      socket.send(new DatagramPacket(new byte[3], 3, new InetSocketAddress(DNS_IP, 53)));
    }
    assertEquals(Rcode.NOERROR, rcode(ask("web.shop.svc.cluster.local.", Type.A, false)));
  }

  @Test
  void asecondServerSharesTheAddress() throws Exception {
    // another worker JVM on this host: SO_REUSEPORT lets it bind the same address and port
    try (ClusterDns second = ClusterDns.start(plane.system(), plane.store(), plane.system().settings().config(),
        "127.0.0.1")) {
      second.whenListening(DNS_IP).toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) {
        assertEquals(Set.of("127.32.1.1"), answers(ask("web.shop.svc.cluster.local.", Type.A, i % 2 == 0)));
      }
    }
    assertEquals(Set.of("127.32.1.1"), answers(ask("web.shop.svc.cluster.local.", Type.A, true)));
  }

  @Test
  void theServerFollowsTheDnsServicesClusterIp() throws Exception {
    String key = ObjectKey.of("Service", "kube-system", "kube-dns");
    KubeObject original = store.get(key).orElseThrow().object();
    replace(service("kube-system", "kube-dns", "127.32.0.11", "dns:53/UDP", "dns-tcp:53/TCP"));
    try {
      dns.whenListening("127.32.0.11").toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      Message m = resolver("127.32.0.11", false).send(Message.newQuery(Record.newRecord(
          Name.fromString("web.shop.svc.cluster.local."), Type.A, DClass.IN)));
      assertEquals(Set.of("127.32.1.1"), answers(m));
      assertEquals(java.util.Optional.of(new InetSocketAddress("127.32.0.11", 53)), dns.address());
    } finally {
      replace(original);
    }
    dns.whenListening(DNS_IP).toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertEquals(Rcode.NOERROR, rcode(ask("web.shop.svc.cluster.local.", Type.A, true)));
  }

  static void replace(KubeObject object) throws Exception {
    StoreResult r = store.replace(object, true, ResourceEntity.ANY_REVISION).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertInstanceOf(StoreResult.Written.class, r, object.key());
  }

  @Test
  void queriesAreCountedByRcode() {
    ask("nope.shop.svc.cluster.local.", Type.A, false);
    double nxdomain = 0;
    for (var m : PrometheusRegistry.defaultRegistry.scrape().stream().toList()) {
      if (!(m instanceof CounterSnapshot c) || !c.getMetadata().getName().equals("troupe_dns_queries")) continue;
      for (var d : c.getDataPoints()) {
        if ("NXDOMAIN".equals(d.getLabels().get("rcode"))) nxdomain += d.getValue();
      }
    }
    assertTrue(nxdomain >= 1, "NXDOMAIN answers counted: " + nxdomain);
  }

  @Test
  void dig() throws Exception {
    assumeTrue(new java.io.File("/usr/bin/dig").canExecute(), "dig is not installed");
    Process p = new ProcessBuilder("dig", "+short", "@" + DNS_IP, "db.shop.svc.cluster.local", "A")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(Set.of("127.64.0.5", "127.64.0.6"), new TreeSet<>(List.of(out.trim().split("\\s+"))));
  }
}
