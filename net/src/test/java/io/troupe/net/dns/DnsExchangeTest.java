package io.troupe.net.dns;

import static io.troupe.net.dns.DnsObjects.endpoints;
import static io.troupe.net.dns.DnsObjects.externalName;
import static io.troupe.net.dns.DnsObjects.pod;
import static io.troupe.net.dns.DnsObjects.service;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The server's answers, bytes in and bytes out, from records fed by hand (no sockets, no actors). */
class DnsExchangeTest {
  static final DnsSettings SETTINGS = new DnsSettings(53, "cluster.local", "kube-system", "kube-dns", 5,
      Duration.ofSeconds(10));
  ClusterRecords records;
  DnsExchange exchange;

  @BeforeEach
  void feed() {
    records = new ClusterRecords();
    exchange = new DnsExchange(new KubernetesZone(SETTINGS, records, () -> "127.32.0.10"));
    List<String> dbReady = new ArrayList<>(List.of("127.64.0.5=db-0", "127.64.0.6=db-1"));
    for (int i = 0; i < 50; i++) dbReady.add("127.64.9." + i);
    records.replace("Service", List.of(
        service("kube-system", "kube-dns", "127.32.0.10", "dns:53/UDP", "dns-tcp:53/TCP"),
        service("shop", "web", "127.32.1.1", "http:80/TCP", "metrics:9090/TCP"),
        service("shop", "db", "None", "pg:5432/TCP"),
        service("shop", "many", "None", "9/TCP"),
        service("shop", "empty", "None", "80/TCP"),
        externalName("shop", "search", "search.example.com")));
    records.replace("Endpoints", List.of(
        endpoints("shop", "db", List.of("127.64.0.5=db-0", "127.64.0.6=db-1"), List.of("127.64.0.7=db-2"),
            "pg:5432/TCP"),
        endpoints("shop", "many", dbReady, List.of(), "9/TCP"),
        endpoints("shop", "empty", List.of(), List.of("127.64.0.8"), "80/TCP")));
    records.replace("Pod", List.of(
        pod("shop", "db-0", "127.64.0.5", "db-0", "db"),
        pod("shop", "db-1", "127.64.0.6", null, null),
        pod("shop", "pending", null, null, null)));
  }

  Message ask(String name, int type) throws Exception {
    return ask(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)), true);
  }

  Message ask(Message query, boolean udp) throws Exception {
    byte[] answer = exchange.respond(query.toWire(), udp);
    assertNotNull(answer, "an answer to " + query.getQuestion());
    Message m = new Message(answer);
    assertEquals(query.getHeader().getID(), m.getHeader().getID());
    assertTrue(m.getHeader().getFlag(Flags.QR));
    assertFalse(m.getHeader().getFlag(Flags.RA), "recursion is never offered");
    return m;
  }

  static Set<String> data(Message m, int section) {
    Set<String> out = new TreeSet<>();
    for (Record r : m.getSection(section)) out.add(r.rdataToString());
    return out;
  }

  @Test
  void clusterIpServiceIsItsClusterIp() throws Exception {
    Message m = ask("web.shop.svc.cluster.local.", Type.A);
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertTrue(m.getHeader().getFlag(Flags.AA));
    assertEquals(Set.of("127.32.1.1"), data(m, Section.ANSWER));
    assertEquals(5, m.getSection(Section.ANSWER).get(0).getTTL());
  }

  @Test
  void namesAreCaseInsensitiveAndTheAnswerKeepsTheQuestionsCase() throws Exception {
    Message m = ask("WeB.Shop.SVC.Cluster.LOCAL.", Type.A);
    assertEquals(Set.of("127.32.1.1"), data(m, Section.ANSWER));
    assertEquals("WeB.Shop.SVC.Cluster.LOCAL.", m.getSection(Section.ANSWER).get(0).getName().toString());
  }

  @Test
  void headlessServiceIsItsReadyEndpoints() throws Exception {
    assertEquals(Set.of("127.64.0.5", "127.64.0.6"), data(ask("db.shop.svc.cluster.local.", Type.A), Section.ANSWER));
    // no ready endpoint: NXDOMAIN, as CoreDNS
    assertEquals(Rcode.NXDOMAIN, ask("empty.shop.svc.cluster.local.", Type.A).getRcode());
  }

  @Test
  void srvOfANamedPort() throws Exception {
    Message m = ask("_http._tcp.web.shop.svc.cluster.local.", Type.SRV);
    assertEquals(Rcode.NOERROR, m.getRcode());
    SRVRecord srv = (SRVRecord) m.getSection(Section.ANSWER).get(0);
    assertEquals(1, m.getSection(Section.ANSWER).size());
    assertEquals(80, srv.getPort());
    assertEquals("web.shop.svc.cluster.local.", srv.getTarget().toString());
    assertEquals(Set.of("127.32.1.1"), data(m, Section.ADDITIONAL));
    assertEquals(Rcode.NXDOMAIN, ask("_http._udp.web.shop.svc.cluster.local.", Type.SRV).getRcode());
    assertEquals(Rcode.NXDOMAIN, ask("_nope._tcp.web.shop.svc.cluster.local.", Type.SRV).getRcode());
    // the name exists: other types get an empty answer
    assertEquals(Rcode.NOERROR, ask("_http._tcp.web.shop.svc.cluster.local.", Type.A).getRcode());
    // all ports on the Service's own name
    assertEquals(Set.of("0 50 80 web.shop.svc.cluster.local.", "0 50 9090 web.shop.svc.cluster.local."),
        data(ask("web.shop.svc.cluster.local.", Type.SRV), Section.ANSWER));
  }

  @Test
  void srvOfAHeadlessServiceNamesEachEndpoint() throws Exception {
    Message m = ask("_pg._tcp.db.shop.svc.cluster.local.", Type.SRV);
    assertEquals(Set.of("0 50 5432 db-0.db.shop.svc.cluster.local.", "0 50 5432 127-64-0-6.db.shop.svc.cluster.local."),
        data(m, Section.ANSWER));
    assertEquals(Set.of("127.64.0.5", "127.64.0.6"), data(m, Section.ADDITIONAL));
  }

  @Test
  void endpointsByHostnameAndByDashedIp() throws Exception {
    // db-0 has hostname db-0 and subdomain db: <hostname>.<subdomain>.<ns>.svc
    assertEquals(Set.of("127.64.0.5"), data(ask("db-0.db.shop.svc.cluster.local.", Type.A), Section.ANSWER));
    assertEquals(Set.of("127.64.0.6"), data(ask("127-64-0-6.db.shop.svc.cluster.local.", Type.A), Section.ANSWER));
    assertEquals(Rcode.NXDOMAIN, ask("127-64-0-7.db.shop.svc.cluster.local.", Type.A).getRcode(), "not ready");
    assertEquals(Rcode.NXDOMAIN, ask("db-9.db.shop.svc.cluster.local.", Type.A).getRcode());
  }

  @Test
  void podRecords() throws Exception {
    assertEquals(Set.of("127.64.0.5"), data(ask("127-64-0-5.shop.pod.cluster.local.", Type.A), Section.ANSWER));
    assertEquals(Rcode.NXDOMAIN, ask("127-64-0-99.shop.pod.cluster.local.", Type.A).getRcode());
    assertEquals(Rcode.NXDOMAIN, ask("127-64-0-5.other.pod.cluster.local.", Type.A).getRcode());
    assertEquals(Rcode.NXDOMAIN, ask("127-64-0-500.shop.pod.cluster.local.", Type.A).getRcode());
  }

  @Test
  void anExistingNameWithoutThatTypeIsAnEmptyAnswerWithTheSoa() throws Exception {
    Message m = ask("web.shop.svc.cluster.local.", Type.AAAA);
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertTrue(m.getSection(Section.ANSWER).isEmpty());
    assertEquals(Type.SOA, m.getSection(Section.AUTHORITY).get(0).getType());
    assertEquals(Rcode.NOERROR, ask("web.shop.svc.cluster.local.", Type.MX).getRcode());
  }

  @Test
  void unknownNamesInTheDomainAreNxdomain() throws Exception {
    Message m = ask("nope.shop.svc.cluster.local.", Type.A);
    assertEquals(Rcode.NXDOMAIN, m.getRcode());
    assertTrue(m.getHeader().getFlag(Flags.AA));
    assertEquals(Type.SOA, m.getSection(Section.AUTHORITY).get(0).getType());
    assertEquals(Rcode.NXDOMAIN, ask("web.nons.svc.cluster.local.", Type.A).getRcode());
    assertEquals(Rcode.NXDOMAIN, ask("foo.cluster.local.", Type.A).getRcode());
    assertEquals(Rcode.NXDOMAIN, ask("a.b.web.shop.svc.cluster.local.", Type.A).getRcode());
  }

  @Test
  void parentsOfExistingNamesExist() throws Exception {
    for (String name : List.of("cluster.local.", "svc.cluster.local.", "shop.svc.cluster.local.",
        "pod.cluster.local.", "shop.pod.cluster.local.", "_tcp.web.shop.svc.cluster.local.")) {
      Message m = ask(name, Type.A);
      assertEquals(Rcode.NOERROR, m.getRcode(), name);
      assertTrue(m.getSection(Section.ANSWER).isEmpty(), name);
    }
    assertEquals(Rcode.NXDOMAIN, ask("nons.svc.cluster.local.", Type.A).getRcode());
    assertEquals(Rcode.NXDOMAIN, ask("_udp.web.shop.svc.cluster.local.", Type.A).getRcode());
  }

  @Test
  void theApexHasSoaAndNs() throws Exception {
    assertEquals(Type.SOA, ask("cluster.local.", Type.SOA).getSection(Section.ANSWER).get(0).getType());
    Message ns = ask("cluster.local.", Type.NS);
    assertEquals(Set.of("ns.dns.cluster.local."), data(ns, Section.ANSWER));
    assertEquals(Set.of("127.32.0.10"), data(ns, Section.ADDITIONAL));
    assertEquals(Set.of("127.32.0.10"), data(ask("ns.dns.cluster.local.", Type.A), Section.ANSWER));
  }

  @Test
  void externalNameIsACname() throws Exception {
    Message m = ask("search.shop.svc.cluster.local.", Type.A);
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertEquals(Set.of("search.example.com."), data(m, Section.ANSWER));
  }

  @Test
  void namesOutsideTheDomainAreRefused() throws Exception {
    for (String name : List.of("example.com.", "local.", "cluster.local.example.com.", "5.0.64.127.in-addr.arpa.")) {
      Message m = ask(name, Type.A);
      assertEquals(Rcode.REFUSED, m.getRcode(), name);
      assertTrue(m.getSection(Section.ANSWER).isEmpty());
    }
  }

  @Test
  void zoneTransfersAndOtherClassesAreRefused() throws Exception {
    assertEquals(Rcode.REFUSED, ask("cluster.local.", Type.AXFR).getRcode());
    Message chaos = Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
    assertEquals(Rcode.REFUSED, ask(chaos, true).getRcode());
  }

  @Test
  void otherOpcodesAreNotImplemented() throws Exception {
    Message notify = Message.newQuery(Record.newRecord(Name.fromString("cluster.local."), Type.SOA, DClass.IN));
    notify.getHeader().setOpcode(Opcode.NOTIFY);
    assertEquals(Rcode.NOTIMP, ask(notify, true).getRcode());
  }

  @Test
  void largeUdpAnswersAreTruncatedForTcp() throws Exception {
    Message plain = ask("many.shop.svc.cluster.local.", Type.A);
    assertTrue(plain.getHeader().getFlag(Flags.TC), "52 addresses do not fit 512 bytes");
    assertTrue(plain.numBytes() <= 512);
    Message query = Message.newQuery(Record.newRecord(Name.fromString("many.shop.svc.cluster.local."), Type.A,
        DClass.IN));
    query.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    Message edns = ask(query, true);
    assertFalse(edns.getHeader().getFlag(Flags.TC), "they fit the EDNS size");
    assertEquals(52, edns.getSection(Section.ANSWER).size());
    assertEquals(DnsExchange.UDP_PAYLOAD, edns.getOPT().getPayloadSize());
    Message tcp = ask(Message.newQuery(Record.newRecord(Name.fromString("many.shop.svc.cluster.local."), Type.A,
        DClass.IN)), false);
    assertFalse(tcp.getHeader().getFlag(Flags.TC));
    assertEquals(52, tcp.getSection(Section.ANSWER).size());
  }

  @Test
  void aNewerEdnsVersionIsBadvers() throws Exception {
    Message query = Message.newQuery(Record.newRecord(Name.fromString("web.shop.svc.cluster.local."), Type.A,
        DClass.IN));
    query.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
    assertEquals(Rcode.BADVERS, ask(query, true).getRcode());
  }

  @Test
  void beforeTheFirstListTheServerFails() throws Exception {
    records = new ClusterRecords();
    exchange = new DnsExchange(new KubernetesZone(SETTINGS, records, () -> null));
    assertEquals(Rcode.SERVFAIL, ask("web.shop.svc.cluster.local.", Type.A).getRcode());
    records.replace("Service", List.of());
    records.replace("Endpoints", List.of());
    records.replace("Pod", List.of());
    assertEquals(Rcode.NXDOMAIN, ask("web.shop.svc.cluster.local.", Type.A).getRcode());
  }

  @Test
  void changesAndReplacesAreFollowed() throws Exception {
    KubeObject api = service("shop", "api", "127.32.1.2", "80/TCP");
    records.apply(new WatchEvent(WatchEvent.Type.ADDED, api));
    assertEquals(Set.of("127.32.1.2"), data(ask("api.shop.svc.cluster.local.", Type.A), Section.ANSWER));
    records.apply(new WatchEvent(WatchEvent.Type.DELETED, api));
    assertEquals(Rcode.NXDOMAIN, ask("api.shop.svc.cluster.local.", Type.A).getRcode());
    // a replace (a watch started again) drops what is no longer listed
    records.replace("Pod", List.of(pod("shop", "db-1", "127.64.0.6", null, null)));
    assertEquals(Rcode.NXDOMAIN, ask("127-64-0-5.shop.pod.cluster.local.", Type.A).getRcode());
    assertEquals(Rcode.NOERROR, ask("127-64-0-6.shop.pod.cluster.local.", Type.A).getRcode());
    // a pod that moves to another IP
    records.apply(new WatchEvent(WatchEvent.Type.MODIFIED, pod("shop", "db-1", "127.64.0.16", null, null)));
    assertEquals(Rcode.NXDOMAIN, ask("127-64-0-6.shop.pod.cluster.local.", Type.A).getRcode());
    assertEquals(Rcode.NOERROR, ask("127-64-0-16.shop.pod.cluster.local.", Type.A).getRcode());
  }

  @Test
  void badPacketsGetFormerrOrNothingAndNeverAnException() throws Exception {
    assertNull(exchange.respond(new byte[5], true), "shorter than a header");
    Message response = new Message(7);
    response.getHeader().setFlag(Flags.QR);
    assertNull(exchange.respond(response.toWire(), true), "a response is never answered");
    // a header that announces a question that is not there
    byte[] header = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    Message formerr = new Message(exchange.respond(header, true));
    assertEquals(Rcode.FORMERR, formerr.getRcode());
    assertEquals(0x1234, formerr.getHeader().getID());
    // no question at all
    byte[] none = {0x12, 0x35, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
    assertEquals(Rcode.FORMERR, new Message(exchange.respond(none, true)).getRcode());
    // random bytes, and real queries with bytes flipped: each answered or dropped, never thrown
    Random random = new Random(42);
    byte[] valid = Message.newQuery(Record.newRecord(Name.fromString("_pg._tcp.db.shop.svc.cluster.local."),
        Type.SRV, DClass.IN)).toWire();
    for (int i = 0; i < 5000; i++) {
      byte[] packet;
      if (i % 2 == 0) {
        packet = new byte[random.nextInt(64)];
        random.nextBytes(packet);
      } else {
        packet = valid.clone();
        for (int k = 0; k < 3; k++) packet[random.nextInt(packet.length)] = (byte) random.nextInt(256);
      }
      byte[] answer = exchange.respond(packet, i % 3 != 0);
      if (answer != null) new Message(answer);
    }
    assertArrayEquals(exchange.respond(valid, true), exchange.respond(valid, true), "still answering");
  }

  @Test
  void anEndpointHostnameThatMakesNoNameIsLeftOut() throws Exception {
    KubeObject odd = endpoints("shop", "db", List.of("127.64.0.5", "127.64.0.6"), List.of(), "pg:5432/TCP");
    var address = (com.fasterxml.jackson.databind.node.ObjectNode) odd.body().path("subsets").get(0).path("addresses")
        .get(0);
    address.put("hostname", "x".repeat(300));
    records.apply(new WatchEvent(WatchEvent.Type.MODIFIED, odd));
    Message m = ask("_pg._tcp.db.shop.svc.cluster.local.", Type.SRV);
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertEquals(Set.of("0 100 5432 127-64-0-6.db.shop.svc.cluster.local."), data(m, Section.ANSWER));
    assertEquals(Set.of("127.64.0.5", "127.64.0.6"), data(ask("db.shop.svc.cluster.local.", Type.A), Section.ANSWER));
  }
}
