package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.member;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * networking.k8s.io/v1 NetworkPolicy, as Kubernetes' ValidateNetworkPolicySpec checks it: the selectors, the policy
 * types, each peer (one of a pod and/or namespace selector, or an ipBlock whose {@code except} ranges lie strictly
 * inside its CIDR) and each port (a number or a port name, {@code endPort} only after a number and not below it).
 */
final class NetworkPolicyValidation {
  static final List<String> POLICY_TYPES = List.of("Ingress", "Egress");
  static final String INVALID_CIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

  private NetworkPolicyValidation() {}

  static void validate(ObjectNode object, List<Cause> causes) {
    ObjectNode spec = object(object, "spec", "spec", causes);
    JsonNode podSelector = member(spec, "podSelector");
    // The empty selector {} selects every pod of the namespace; leaving it out is a mistake, not "all".
    if (podSelector == null) {
      causes.add(Cause.required("spec.podSelector", ""));
    } else {
      LabelSelectorValidation.validate(podSelector, "spec.podSelector", causes);
    }
    validateRules(spec, "ingress", "from", causes);
    validateRules(spec, "egress", "to", causes);
    ArrayNode policyTypes = JsonFields.array(spec, "policyTypes", "spec.policyTypes", causes);
    if (policyTypes == null) return;
    if (policyTypes.size() > POLICY_TYPES.size()) {
      causes.add(Cause.invalid("spec.policyTypes", policyTypes, "may not specify more than two policyTypes"));
      return;
    }
    for (int i = 0; i < policyTypes.size(); i++) {
      JsonNode policyType = policyTypes.get(i);
      if (!policyType.isTextual() || !POLICY_TYPES.contains(policyType.textValue())) {
        causes.add(Cause.notSupported(index("spec.policyTypes", i), policyType, POLICY_TYPES));
      }
    }
  }

  private static void validateRules(ObjectNode spec, String direction, String peersField, List<Cause> causes) {
    String path = "spec." + direction;
    List<ObjectNode> rules = objects(spec, direction, path, causes);
    for (int i = 0; i < rules.size(); i++) {
      ObjectNode rule = rules.get(i);
      if (rule == null) continue;
      String at = index(path, i);
      List<ObjectNode> ports = objects(rule, "ports", at + ".ports", causes);
      for (int j = 0; j < ports.size(); j++) {
        if (ports.get(j) != null) validatePort(ports.get(j), index(at + ".ports", j), causes);
      }
      List<ObjectNode> peers = objects(rule, peersField, at + "." + peersField, causes);
      for (int j = 0; j < peers.size(); j++) {
        if (peers.get(j) != null) validatePeer(peers.get(j), index(at + "." + peersField, j), causes);
      }
    }
  }

  private static void validatePort(ObjectNode port, String path, List<Cause> causes) {
    PodSpecValidation.validateProtocol(port, path + ".protocol", causes);
    JsonNode number = member(port, "port");
    JsonNode end = member(port, "endPort");
    if (end != null && !end.canConvertToInt()) {
      causes.add(Cause.invalid(path + ".endPort", end, "must be an integer"));
      end = null;
    }
    if (number == null) {
      if (end != null) {
        causes.add(Cause.invalid(path + ".endPort", end.asInt(), "may not be specified when `port` is not specified"));
      }
    } else if (number.isIntegralNumber()) {
      for (String message : NameSyntax.isValidPortNumber(number.asLong())) {
        causes.add(Cause.invalid(path + ".port", number.asLong(), message));
      }
      if (end != null) {
        if (end.asInt() < number.asLong()) {
          causes.add(Cause.invalid(path + ".endPort", end.asInt(), "must be greater than or equal to `port`"));
        }
        for (String message : NameSyntax.isValidPortNumber(end.asLong())) {
          causes.add(Cause.invalid(path + ".endPort", end.asInt(), message));
        }
      }
    } else if (number.isTextual()) {
      if (end != null) {
        causes.add(Cause.invalid(path + ".endPort", end.asInt(), "may not be specified when `port` is non-numeric"));
      }
      for (String message : NameSyntax.isValidPortName(number.textValue())) {
        causes.add(Cause.invalid(path + ".port", number.textValue(), message));
      }
    } else {
      causes.add(Cause.invalid(path + ".port", number, "must be a port number or name"));
    }
  }

  private static void validatePeer(ObjectNode peer, String path, List<Cause> causes) {
    JsonNode pods = member(peer, "podSelector");
    JsonNode namespaces = member(peer, "namespaceSelector");
    JsonNode ipBlock = member(peer, "ipBlock");
    if (pods != null) LabelSelectorValidation.validate(pods, path + ".podSelector", causes);
    if (namespaces != null) LabelSelectorValidation.validate(namespaces, path + ".namespaceSelector", causes);
    if (ipBlock != null) validateIpBlock(ipBlock, path + ".ipBlock", causes);
    if (pods == null && namespaces == null && ipBlock == null) {
      causes.add(Cause.required(path, "must specify a peer"));
    } else if (ipBlock != null && (pods != null || namespaces != null)) {
      causes.add(Cause.forbidden(path, "may not specify both ipBlock and another peer"));
    }
  }

  private static void validateIpBlock(JsonNode ipBlock, String path, List<Cause> causes) {
    String cidr = textOrEmpty(ipBlock, "cidr", path + ".cidr", causes);
    if (cidr.isEmpty()) {
      causes.add(Cause.required(path + ".cidr", ""));
      return;
    }
    Range range = Range.parse(cidr);
    if (range == null) {
      causes.add(Cause.invalid(path + ".cidr", cidr, INVALID_CIDR));
      return;
    }
    ArrayNode except = JsonFields.array(ipBlock, "except", path + ".except", causes);
    if (except == null) return;
    for (int i = 0; i < except.size(); i++) {
      String at = index(path + ".except", i);
      String text = except.get(i).asText("");
      Range inner = Range.parse(text);
      if (inner == null) {
        causes.add(Cause.invalid(at, text, INVALID_CIDR));
      } else if (!range.strictlyContains(inner)) {
        causes.add(Cause.invalid(at, text, "must be a strict subset of `cidr`"));
      }
    }
  }

  /**
   * An IPv4 or IPv6 CIDR, parsed as Go's net.ParseCIDR reads one (host bits may be set). Written by hand: the JDK
   * parses address literals ({@code InetAddress.getByName} does no lookup for a literal, and nothing else is passed
   * to it) but not prefixes.
   */
  private record Range(BigInteger network, int prefix, int bits) {

    static Range parse(String text) {
      int slash = text.indexOf('/');
      if (slash < 0) return null;
      String address = text.substring(0, slash);
      String length = text.substring(slash + 1);
      boolean v4 = address.matches("\\d{1,3}(\\.\\d{1,3}){3}");
      boolean v6 = !v4 && address.contains(":") && address.matches("[0-9A-Fa-f:.]+");
      if ((!v4 && !v6) || !length.matches("\\d{1,3}")) return null;
      int bits = v4 ? 32 : 128;
      int prefix = Integer.parseInt(length);
      if (prefix > bits) return null;
      if (v4) {
        for (String octet : address.split("\\.")) if (Integer.parseInt(octet) > 255) return null;
      }
      try {
        byte[] bytes = InetAddress.getByName(address).getAddress();
        if (bytes.length * 8 != bits) return null; // an IPv4-mapped IPv6 literal comes back as IPv4
        BigInteger value = new BigInteger(1, bytes);
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
            .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
        return new Range(value.and(mask), prefix, bits);
      } catch (UnknownHostException e) {
        return null;
      }
    }

    /** Go's {@code cidr.Contains(except.IP) && cidrMaskLen < exceptMaskLen}. */
    boolean strictlyContains(Range inner) {
      return inner.bits == bits && inner.prefix > prefix
          && inner.network.shiftRight(bits - prefix).equals(network.shiftRight(bits - prefix));
    }
  }
}
