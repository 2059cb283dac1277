package io.troupe.net.dns;

import java.io.IOException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One query in, one answer out, as bytes: the wire format is dnsjava's ({@link Message}); what a server adds
 * around a zone's answers is here. A packet too short for a header, or a response, gets no answer; one that does
 * not parse gets FORMERR; an opcode other than QUERY, NOTIMP; a name outside the cluster domain, a class other
 * than IN, or a zone transfer, REFUSED (the server does not recurse: RA is never set). Over UDP an answer is cut
 * to 512 bytes, or to the size the query's EDNS record offers (at most {@link #UDP_PAYLOAD}), with the TC bit set,
 * so that the client asks again over TCP. Thread-safe: the zone reads {@link ClusterRecords} without locks.
 */
final class DnsExchange {
  /** What the server offers in its EDNS record: the DNS flag day 2020 size, never fragmented. */
  static final int UDP_PAYLOAD = 1232;
  /** Without EDNS (RFC 1035). */
  static final int CLASSIC_UDP = 512;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DnsExchange.class);

  private final KubernetesZone zone;

  DnsExchange(KubernetesZone zone) {
    this.zone = zone;
  }

  /**
   * The answer to a packet, or null when it gets none.
   *
   * @param udp whether the answer must fit a UDP payload (else up to 65535 bytes, for TCP)
   */
  byte[] respond(byte[] packet, boolean udp) {
    long started = System.nanoTime();
    String protocol = udp ? "udp" : "tcp";
    if (packet.length < Header.LENGTH) {
      DnsMetrics.dropped(protocol);
      return null;
    }
    Header header;
    try {
      header = new Header(packet);
    } catch (IOException e) {
      DnsMetrics.dropped(protocol);
      return null;
    }
    if (header.getFlag(Flags.QR)) {
      DnsMetrics.dropped(protocol);
      return null;
    }
    Message response;
    int limit = udp ? CLASSIC_UDP : Message.MAXLENGTH;
    try {
      Message query = new Message(packet);
      OPTRecord opt = query.getOPT();
      if (udp && opt != null) limit = Math.max(CLASSIC_UDP, Math.min(opt.getPayloadSize(), UDP_PAYLOAD));
      response = answer(query);
    } catch (IOException | RuntimeException e) {
      // IOException: not a DNS message (WireParseException and kin); a RuntimeException is a bug here, but a
      // client still gets an answer and the server lives on
      if (!(e instanceof IOException)) log.warn("cannot answer a DNS query: {}", e.toString(), e);
      response = bare(header, e instanceof IOException ? Rcode.FORMERR : Rcode.SERVFAIL);
    }
    byte[] wire = response.toWire(limit);
    DnsMetrics.answered(protocol, response.getRcode(), started);
    return wire;
  }

  private Message answer(Message query) {
    Header qh = query.getHeader();
    if (qh.getOpcode() != Opcode.QUERY) return withQuestion(query, Rcode.NOTIMP);
    if (qh.getCount(Section.QUESTION) != 1) return bare(qh, Rcode.FORMERR);
    OPTRecord opt = query.getOPT();
    if (opt != null && opt.getVersion() > 0) return withQuestion(query, Rcode.BADVERS);
    Record question = query.getQuestion();
    int type = question.getType();
    Message response = withQuestion(query, Rcode.NOERROR);
    if ((question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) || type == Type.AXFR
        || type == Type.IXFR || !zone.contains(question.getName())) {
      response.getHeader().setRcode(Rcode.REFUSED);
      return response;
    }
    zone.answer(question, response);
    return response;
  }

  /** A response to the query with its question, its EDNS record answered, and the given rcode. */
  private static Message withQuestion(Message query, int rcode) {
    Message response = bare(query.getHeader(), Rcode.NOERROR);
    if (query.getQuestion() != null) response.addRecord(query.getQuestion(), Section.QUESTION);
    OPTRecord opt = query.getOPT();
    if (opt != null) {
      // the extended rcode's upper bits travel in the OPT record (BADVERS = 16)
      response.addRecord(new OPTRecord(UDP_PAYLOAD, rcode >>> 4, 0), Section.ADDITIONAL);
    }
    response.getHeader().setRcode(rcode & 0xF);
    return response;
  }

  /** A response with only a header: the query's ID, opcode, RD and CD; the given rcode. */
  private static Message bare(Header query, int rcode) {
    Message response = new Message(query.getID());
    Header h = response.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(query.getOpcode());
    if (query.getFlag(Flags.RD)) h.setFlag(Flags.RD);
    if (query.getFlag(Flags.CD)) h.setFlag(Flags.CD);
    h.setRcode(rcode);
    return response;
  }
}
