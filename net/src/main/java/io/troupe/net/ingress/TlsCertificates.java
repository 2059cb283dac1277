package io.troupe.net.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;

/**
 * The certificates the HTTPS listener offers, by host, from the {@code tls} entries of the served Ingresses: each
 * names a Secret of type {@code kubernetes.io/tls} in the Ingress's namespace (PEM {@code tls.crt}, the chain leaf
 * first, and {@code tls.key}) and the hosts it is for. An entry without hosts is the certificate for any host
 * nothing else claims (and for clients that send no SNI). For one host, the oldest Ingress's entry wins, as with
 * the rules. Immutable; rebuilt with the routes.
 */
final class TlsCertificates {
  static final String SECRET_TYPE = "kubernetes.io/tls";
  static final TlsCertificates NONE = new TlsCertificates(Map.of(), Map.of(), null, Map.of());

  /** One certificate chain and its key; {@code alias} names it to the key manager ({@code ns/secret@version}). */
  record CertifiedKey(String alias, X509Certificate[] chain, PrivateKey key) {
    String keyType() {
      return key.getAlgorithm();
    }
  }

  /** A Secret read, or why it could not be: parsing happens once per Secret version. */
  record Parsed(CertifiedKey key, String problem) {}

  private final Map<String, CertifiedKey> exactHosts;
  private final Map<String, CertifiedKey> wildcardHosts;
  private final CertifiedKey fallback;
  private final Map<String, CertifiedKey> byAlias;

  private TlsCertificates(Map<String, CertifiedKey> exactHosts, Map<String, CertifiedKey> wildcardHosts,
      CertifiedKey fallback, Map<String, CertifiedKey> byAlias) {
    this.exactHosts = exactHosts;
    this.wildcardHosts = wildcardHosts;
    this.fallback = fallback;
    this.byAlias = byAlias;
  }

  /**
   * @param ingresses the served Ingresses
   * @param secret the Secret at a key ({@code Secret/ns/name}), or null
   * @param parse reads a Secret (the caller memoizes it by version)
   */
  static TlsCertificates of(Collection<KubeObject> ingresses, Function<String, KubeObject> secret,
      Function<KubeObject, Parsed> parse) {
    Map<String, CertifiedKey> exact = new HashMap<>();
    Map<String, CertifiedKey> wildcard = new HashMap<>();
    Map<String, CertifiedKey> byAlias = new HashMap<>();
    CertifiedKey fallback = null;
    for (KubeObject ingress : IngressRoutes.oldestFirst(List.copyOf(ingresses))) {
      for (JsonNode tls : ingress.spec() == null ? List.<JsonNode>of() : iterable(ingress.spec().path("tls"))) {
        String name = tls.path("secretName").asText("");
        if (name.isEmpty()) continue;
        KubeObject s = secret.apply(ObjectKey.of("Secret", ingress.metadata().namespace(), name));
        if (s == null) continue;
        CertifiedKey key = parse.apply(s).key();
        if (key == null) continue;
        byAlias.put(key.alias(), key);
        List<String> hosts = new ArrayList<>();
        for (JsonNode h : tls.path("hosts")) hosts.add(h.asText("").toLowerCase(Locale.ROOT));
        hosts.removeIf(String::isEmpty);
        if (hosts.isEmpty() && fallback == null) fallback = key;
        for (String h : hosts) {
          if (h.startsWith("*.")) wildcard.putIfAbsent(h.substring(2), key);
          else exact.putIfAbsent(h, key);
        }
      }
    }
    return new TlsCertificates(Map.copyOf(exact), Map.copyOf(wildcard), fallback, Map.copyOf(byAlias));
  }

  /** The certificate for a server name (SNI), or for a client that sent none (null); null when there is none. */
  CertifiedKey forHost(String serverName) {
    if (serverName != null) {
      String h = IngressRoutes.normalizeHost(serverName);
      CertifiedKey key = exactHosts.get(h);
      if (key != null) return key;
      int dot = h.indexOf('.');
      if (dot > 0 && (key = wildcardHosts.get(h.substring(dot + 1))) != null) return key;
    }
    return fallback;
  }

  CertifiedKey byAlias(String alias) {
    return byAlias.get(alias);
  }

  Collection<CertifiedKey> all() {
    return byAlias.values();
  }

  /** Reads a {@code kubernetes.io/tls} Secret's PEM certificate chain and private key. */
  static Parsed parse(KubeObject secret) {
    String alias = secret.metadata().namespace() + "/" + secret.metadata().name() + "@"
        + secret.metadata().resourceVersion();
    JsonNode data = secret.body().path("data");
    try {
      byte[] crt = Base64.getDecoder().decode(data.path("tls.crt").asText(""));
      byte[] key = Base64.getDecoder().decode(data.path("tls.key").asText(""));
      List<X509Certificate> chain = new ArrayList<>();
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      for (Certificate c : x509.generateCertificates(new ByteArrayInputStream(crt))) {
        chain.add((X509Certificate) c);
      }
      if (chain.isEmpty()) return new Parsed(null, "tls.crt holds no certificate");
      PrivateKey privateKey = privateKey(new String(key, StandardCharsets.US_ASCII));
      return new Parsed(new CertifiedKey(alias, chain.toArray(new X509Certificate[0]), privateKey), null);
    } catch (GeneralSecurityException | RuntimeException e) {
      // anything a malformed Secret makes the decoders throw (the ASN.1 reader's exceptions are unchecked)
      return new Parsed(null, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /**
   * The private key of a PEM text: PKCS#1 RSA ({@code RSA PRIVATE KEY}, read by Pekko's PEM loader, which the
   * cluster's remoting already brings) or PKCS#8 ({@code PRIVATE KEY}: RSA, or EC through the JDK, as Pekko's loader
   * reads only RSA). SEC1 {@code EC PRIVATE KEY} and encrypted keys are not read (Kubernetes' own tools write
   * PKCS#1 or PKCS#8).
   */
  static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    int begin = pem.indexOf("-----BEGIN ");
    while (begin >= 0) {
      int labelEnd = pem.indexOf("-----", begin + 11);
      if (labelEnd < 0) break;
      String label = pem.substring(begin + 11, labelEnd);
      int end = pem.indexOf("-----END " + label + "-----", labelEnd);
      if (end < 0) break;
      if (label.endsWith("PRIVATE KEY")) {
        PEMDecoder.DERData der = PEMDecoder.decode(pem.substring(begin, end + label.length() + 14));
        if (label.equals("PRIVATE KEY")) return pkcs8(der.bytes());
        if (label.equals("RSA PRIVATE KEY")) return DERPrivateKeyLoader.load(der);
        throw new GeneralSecurityException("unsupported key format: " + label);
      }
      begin = pem.indexOf("-----BEGIN ", end);
    }
    throw new GeneralSecurityException("tls.key holds no PEM private key");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  private static Iterable<JsonNode> iterable(JsonNode array) {
    return array;
  }
}
