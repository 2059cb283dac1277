package io.troupe.net.dns;

import io.troupe.net.dns.ClusterRecords.Address;
import io.troupe.net.dns.ClusterRecords.Port;
import io.troupe.net.dns.ClusterRecords.Service;
import io.troupe.net.dns.ClusterRecords.Subset;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The cluster domain's answers, as CoreDNS's {@code kubernetes} plugin gives them (its schema: the Kubernetes
 * DNS specification), from {@link ClusterRecords}:
 *
 * <ul>
 *   <li>{@code <svc>.<ns>.svc.<domain>}: A/AAAA of the ClusterIP; for a headless Service, of its ready
 *       endpoints (none: NXDOMAIN, as CoreDNS); an ExternalName Service is a CNAME to its {@code externalName}.
 *   <li>{@code _<port>._<proto>.<svc>.<ns>.svc.<domain>} SRV (and SRV on the Service's own name, for all its
 *       ports): the Service's name and port, or for a headless Service one record per ready endpoint, named
 *       {@code <hostname or a-b-c-d>.<svc>.<ns>.svc.<domain>}, with the addresses in the additional section.
 *   <li>{@code <endpoint>.<svc>.<ns>.svc.<domain>}: A of that endpoint; an endpoint is named by its {@code
 *       hostname}, or its pod's {@code spec.hostname} when the pod's {@code spec.subdomain} is the Service (so
 *       {@code <hostname>.<subdomain>.<ns>.svc}), or its dashed IP.
 *   <li>{@code <a-b-c-d>.<ns>.pod.<domain>}: A, when a pod of that namespace has that IP (CoreDNS's {@code pods
 *       verified}).
 *   <li>The apex: SOA and NS ({@code ns.dns.<domain>}, the server's own address).
 * </ul>
 *
 * A name that exists but has no record of the type asked (AAAA of an IPv4 Service, MX...) is NOERROR with no
 * answer; names that exist only as parents ({@code svc.<domain>}, {@code <ns>.svc.<domain>} while a Service is in
 * the namespace) likewise. Negative answers carry the zone's SOA (the TTL a resolver caches them for).
 */
final class KubernetesZone {
  private static final int SRV_PRIORITY = 0;

  private final DnsSettings settings;
  private final ClusterRecords records;
  private final Supplier<String> serverIp;
  private final Name origin;
  private final Name nameserver;
  private final Name hostmaster;
  private final long serial = System.currentTimeMillis() / 1000;

  /** @param serverIp the address the server listens on (what {@code ns.dns.<domain>} answers), or null */
  KubernetesZone(DnsSettings settings, ClusterRecords records, Supplier<String> serverIp) {
    this.settings = settings;
    this.records = records;
    this.serverIp = serverIp;
    this.origin = Name.fromConstantString(settings.domain() + ".");
    this.nameserver = Name.fromConstantString("ns.dns." + settings.domain() + ".");
    this.hostmaster = Name.fromConstantString("hostmaster." + settings.domain() + ".");
  }

  /** Whether a name is in the cluster domain (the server refuses the others: it does not recurse). */
  boolean contains(Name name) {
    return name.subdomain(origin);
  }

  /** The answer's records and rcode, put into {@code response} (whose header and question are already set). */
  void answer(Record question, Message response) {
    Answer a = lookup(question.getName(), question.getType());
    response.getHeader().setFlag(Flags.AA);
    response.getHeader().setRcode(a.rcode());
    for (Record r : a.answers()) response.addRecord(r, Section.ANSWER);
    for (Record r : a.additional()) response.addRecord(r, Section.ADDITIONAL);
    if (a.answers().isEmpty() && (a.rcode() == Rcode.NOERROR || a.rcode() == Rcode.NXDOMAIN)) {
      response.addRecord(soa(), Section.AUTHORITY);
    }
  }

  /** What a question gets. */
  record Answer(int rcode, List<Record> answers, List<Record> additional) {
    static final Answer NXDOMAIN = new Answer(Rcode.NXDOMAIN, List.of(), List.of());
    static final Answer NODATA = new Answer(Rcode.NOERROR, List.of(), List.of());

    static Answer of(List<Record> answers, List<Record> additional) {
      return answers.isEmpty() ? NODATA : new Answer(Rcode.NOERROR, answers, additional);
    }
  }

  Answer lookup(Name qname, int qtype) {
    if (!records.synced()) return new Answer(Rcode.SERVFAIL, List.of(), List.of());
    List<String> labels = labels(qname);
    int n = labels.size();
    if (n == 0) return apex(qname, qtype);
    String top = labels.get(n - 1);
    if (top.equals("svc")) {
      if (n == 1) return Answer.NODATA;
      String ns = labels.get(n - 2);
      if (n == 2) return records.hasServices(ns) ? Answer.NODATA : Answer.NXDOMAIN;
      Optional<Service> svc = records.service(ns, labels.get(n - 3));
      if (svc.isEmpty()) return Answer.NXDOMAIN;
      if (n == 3) return service(qname, qtype, svc.get());
      if (n == 4) return labels.get(0).startsWith("_") ? protocolNode(labels.get(0), svc.get())
          : endpoint(qname, qtype, svc.get(), labels.get(0));
      if (n == 5 && labels.get(0).startsWith("_") && labels.get(1).startsWith("_")) {
        return namedPort(qname, qtype, svc.get(), labels.get(0).substring(1), labels.get(1).substring(1));
      }
      return Answer.NXDOMAIN;
    }
    if (top.equals("pod")) {
      if (n == 1) return Answer.NODATA;
      String ns = labels.get(n - 2);
      if (n == 2) return records.hasPods(ns) ? Answer.NODATA : Answer.NXDOMAIN;
      String ip = n == 3 ? undashIpv4(labels.get(0)) : null;
      if (ip == null || !records.podHasIp(ns, ip)) return Answer.NXDOMAIN;
      return addresses(qname, qtype, List.of(ip));
    }
    if (top.equals("dns")) {
      if (n == 1) return Answer.NODATA;
      String self = serverIp.get();
      if (n == 2 && labels.get(0).equals("ns") && self != null) return addresses(qname, qtype, List.of(self));
    }
    return Answer.NXDOMAIN;
  }

  private Answer apex(Name qname, int qtype) {
    if (qtype == Type.SOA || qtype == Type.ANY) return Answer.of(List.of(soa()), List.of());
    if (qtype == Type.NS) {
      String self = serverIp.get();
      List<Record> glue = self == null ? List.of() : addressRecords(nameserver, Type.A, List.of(self));
      return Answer.of(List.of(new NSRecord(qname, DClass.IN, settings.ttlSeconds(), nameserver)), glue);
    }
    return Answer.NODATA;
  }

  private Answer service(Name qname, int qtype, Service svc) {
    if (svc.externalName() != null) {
      try {
        Name target = Name.fromString(svc.externalName(), Name.root);
        return Answer.of(List.of(new CNAMERecord(qname, DClass.IN, settings.ttlSeconds(), target)), List.of());
      } catch (TextParseException e) {
        return Answer.NXDOMAIN;
      }
    }
    if (qtype == Type.SRV) return srv(qname, svc, null, null);
    if (!svc.headless()) {
      if (svc.clusterIps().isEmpty()) return Answer.NXDOMAIN;
      return addresses(qname, qtype, svc.clusterIps());
    }
    List<String> ips = new ArrayList<>(new LinkedHashSet<>(endpoints(svc).keySet()));
    if (ips.isEmpty()) return Answer.NXDOMAIN;
    return addresses(qname, qtype, ips);
  }

  /** {@code _tcp.<svc>.<ns>.svc}: a parent of the Service's SRV names. */
  private Answer protocolNode(String label, Service svc) {
    String protocol = label.substring(1).toUpperCase(Locale.ROOT);
    for (Port p : svc.ports()) if (p.protocol().equals(protocol)) return Answer.NODATA;
    return Answer.NXDOMAIN;
  }

  private Answer endpoint(Name qname, int qtype, Service svc, String label) {
    List<String> ips = new ArrayList<>();
    for (Map.Entry<String, String> e : endpoints(svc).entrySet()) {
      if (e.getValue().equals(label)) ips.add(e.getKey());
    }
    return ips.isEmpty() ? Answer.NXDOMAIN : addresses(qname, qtype, ips);
  }

  private Answer namedPort(Name qname, int qtype, Service svc, String port, String protocol) {
    Answer srv = srv(qname, svc, port, protocol.toUpperCase(Locale.ROOT));
    if (srv.answers().isEmpty()) return Answer.NXDOMAIN;
    return qtype == Type.SRV || qtype == Type.ANY ? srv : Answer.NODATA;
  }

  /** SRV records of the Service's ports that match (null: any), with the targets' addresses as additional. */
  private Answer srv(Name qname, Service svc, String portName, String protocol) {
    List<Record> answers = new ArrayList<>();
    List<Record> additional = new ArrayList<>();
    long ttl = settings.ttlSeconds();
    if (!svc.headless()) {
      Name target = name(svc.name() + "." + svc.namespace() + ".svc");
      for (Port p : target == null ? List.<Port>of() : svc.ports()) {
        if (matches(p, portName, protocol)) {
          answers.add(new SRVRecord(qname, DClass.IN, ttl, SRV_PRIORITY, 100, p.port(), target));
        }
      }
      if (!answers.isEmpty()) additional.addAll(addressRecords(target, Type.A, svc.clusterIps()));
    } else {
      Set<String> targets = new LinkedHashSet<>();
      for (Subset s : records.endpoints(svc.namespace(), svc.name())) {
        for (Address a : s.addresses()) {
          if (!a.ready() && !svc.publishNotReady()) continue;
          Name target = name(endpointName(svc, a) + "." + svc.name() + "." + svc.namespace() + ".svc");
          if (target == null) continue;
          for (Port p : s.ports()) {
            if (!matches(p, portName, protocol)) continue;
            answers.add(new SRVRecord(qname, DClass.IN, ttl, SRV_PRIORITY, 100, p.port(), target));
            if (targets.add(target + " " + a.ip())) {
              additional.addAll(addressRecords(target, a.ip().contains(":") ? Type.AAAA : Type.A, List.of(a.ip())));
            }
          }
        }
      }
    }
    // one weight share per record, as CoreDNS
    List<Record> weighted = new ArrayList<>();
    int weight = answers.isEmpty() ? 0 : Math.max(1, 100 / answers.size());
    for (Record r : answers) {
      SRVRecord s = (SRVRecord) r;
      weighted.add(new SRVRecord(qname, DClass.IN, ttl, SRV_PRIORITY, weight, s.getPort(), s.getTarget()));
    }
    return Answer.of(weighted, additional);
  }

  private static boolean matches(Port p, String portName, String protocol) {
    return (portName == null || p.name().equalsIgnoreCase(portName))
        && (protocol == null || p.protocol().equals(protocol));
  }

  /** The endpoints the Service answers with (ready ones, or all with publishNotReadyAddresses): IP to name. */
  private Map<String, String> endpoints(Service svc) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Subset s : records.endpoints(svc.namespace(), svc.name())) {
      for (Address a : s.addresses()) {
        if (a.ready() || svc.publishNotReady()) out.putIfAbsent(a.ip(), endpointName(svc, a));
      }
    }
    return out;
  }

  /** As Kubernetes names an endpoint: its hostname, its pod's when the pod's subdomain is the Service, its IP. */
  private String endpointName(Service svc, Address a) {
    if (a.hostname() != null) return a.hostname().toLowerCase(Locale.ROOT);
    if (a.pod() != null) {
      var pod = records.pod(svc.namespace(), a.pod());
      if (pod.isPresent() && !pod.get().hostname().isEmpty() && pod.get().subdomain().equalsIgnoreCase(svc.name())) {
        return pod.get().hostname().toLowerCase(Locale.ROOT);
      }
    }
    return a.ip().replace('.', '-').replace(':', '-');
  }

  /** A or AAAA records of those of the addresses that are of the type asked; ANY: both. */
  private Answer addresses(Name qname, int qtype, List<String> ips) {
    List<Record> out = new ArrayList<>();
    if (qtype == Type.A || qtype == Type.ANY) out.addAll(addressRecords(qname, Type.A, ips));
    if (qtype == Type.AAAA || qtype == Type.ANY) out.addAll(addressRecords(qname, Type.AAAA, ips));
    return Answer.of(out, List.of());
  }

  private List<Record> addressRecords(Name owner, int type, List<String> ips) {
    List<Record> out = new ArrayList<>();
    for (String ip : ips) {
      InetAddress address = literal(ip);
      if (address == null) continue;
      boolean v4 = address instanceof Inet4Address;
      if (type == Type.A && v4) out.add(new ARecord(owner, DClass.IN, settings.ttlSeconds(), address));
      if (type == Type.AAAA && !v4) out.add(new AAAARecord(owner, DClass.IN, settings.ttlSeconds(), address));
    }
    return out;
  }

  /** An IP literal (never a lookup); null when it is not one. */
  private static InetAddress literal(String ip) {
    try {
      return org.xbill.DNS.Address.getByAddress(ip);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  /** {@code 10-1-2-3} as {@code 10.1.2.3}; null when it is not a dashed IPv4 address. */
  static String undashIpv4(String label) {
    String[] parts = label.split("-", -1);
    if (parts.length != 4) return null;
    StringBuilder ip = new StringBuilder();
    for (String p : parts) {
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) return null;
      if (ip.length() > 0) ip.append('.');
      ip.append(Integer.parseInt(p));
    }
    return ip.toString();
  }

  private SOARecord soa() {
    long ttl = settings.ttlSeconds();
    return new SOARecord(origin, DClass.IN, ttl, nameserver, hostmaster, serial, 7200, 1800, 86400, ttl);
  }

  /**
   * A name under the cluster domain, from labels written as text; null when they make no name (a hand-written
   * Endpoints' hostname with a space, a name over 255 bytes): that record is left out.
   */
  private Name name(String relative) {
    try {
      return Name.fromString(relative.toLowerCase(Locale.ROOT), origin);
    } catch (TextParseException e) {
      return null;
    }
  }

  /** The labels of a name below the cluster domain, in lower case, leftmost first. */
  private List<String> labels(Name qname) {
    int count = qname.labels() - origin.labels();
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) out.add(qname.getLabelString(i).toLowerCase(Locale.ROOT));
    return out;
  }
}
