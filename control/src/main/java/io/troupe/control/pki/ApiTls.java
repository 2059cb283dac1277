package io.troupe.control.pki;

import com.typesafe.config.Config;
import io.troupe.control.pki.CertificateAuthority.KeyedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS of the API port ({@code troupe.api.tls}): the cluster CA (made at first start in {@code <data-dir>/pki/}, or
 * read from the configured paths that every JVM of a cluster shares), this JVM's serving certificate signed by it
 * ({@code pki/apiserver.crt}, issued again when its names or its CA changed or it nears its end), and the admin
 * client certificate the kubeconfig of {@code troupe server} carries ({@code pki/admin.crt}). Client certificates
 * are requested, not required (kube-apiserver's {@code RequestClientCert}): a client without one goes on to token
 * or anonymous authentication. One that presents a certificate the CA did not sign fails the handshake (the JDK
 * checks it against the CA there; Kubernetes checks it after the handshake and answers 401).
 */
public record ApiTls(CertificateAuthority ca, KeyedCertificate serving, Path pkiDirectory) {
  private static final Logger log = LoggerFactory.getLogger(ApiTls.class);
  /** A serving or admin certificate closer than this to its end is issued again at start. */
  static final Duration RENEW_BEFORE = Duration.ofDays(30);
  public static final String ADMIN_USER = "troupe-admin";

  /** TLS as {@code troupe.api.tls} says, or empty when it says {@code enabled = false}. */
  public static Optional<ApiTls> from(Config config, List<String> moreHosts) {
    if (!enabled(config)) return Optional.empty();
    Path pki = pkiDirectory(config);
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(caCertFile(config), caKeyFile(config),
        config.getString("troupe.api.tls.ca-common-name"));
    List<String> hosts = servingHosts(config, moreHosts);
    KeyedCertificate serving = loadOrIssue(ca, pki.resolve("apiserver.crt"), pki.resolve("apiserver.key"),
        cert -> CertificateAuthority.subjectAltNames(cert).stream().map(n -> n.toLowerCase(Locale.ROOT)).toList()
            .containsAll(hosts.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList()),
        () -> ca.issueServing("kube-apiserver", hosts));
    log.info("API TLS: CA {} ({}), serving certificate for {}", caCertFile(config),
        ca.certificate().getSubjectX500Principal().getName(), hosts);
    return Optional.of(new ApiTls(ca, serving, pki));
  }

  public static boolean enabled(Config config) {
    return config.getBoolean("troupe.api.tls.enabled");
  }

  /** {@code troupe.api.tls.ca-cert-file}, by default {@code <data-dir>/pki/ca.crt}. */
  public static Path caCertFile(Config config) {
    return path(config, "troupe.api.tls.ca-cert-file", "ca.crt");
  }

  /** {@code troupe.api.tls.ca-key-file}, by default {@code <data-dir>/pki/ca.key}. */
  public static Path caKeyFile(Config config) {
    return path(config, "troupe.api.tls.ca-key-file", "ca.key");
  }

  static Path pkiDirectory(Config config) {
    String dataDir = config.hasPath("troupe.data-dir") ? config.getString("troupe.data-dir") : "data";
    return Path.of(dataDir, "pki").toAbsolutePath().normalize();
  }

  private static Path path(Config config, String key, String defaultName) {
    String value = config.hasPath(key) ? config.getString(key) : "";
    return value.isBlank() ? pkiDirectory(config).resolve(defaultName) : Path.of(value).toAbsolutePath().normalize();
  }

  /**
   * The names the serving certificate must hold: {@code subject-alt-names}, the API's host (unless it is a wildcard
   * address), the machine's host name, and the names pods use for the API (Service {@code default/kubernetes} and
   * its ClusterIP, passed in {@code moreHosts}).
   */
  static List<String> servingHosts(Config config, List<String> moreHosts) {
    Set<String> hosts = new LinkedHashSet<>();
    config.getStringList("troupe.api.tls.subject-alt-names").forEach(h -> hosts.add(canonical(h)));
    String apiHost = config.getString("troupe.api.host");
    if (!apiHost.isBlank() && !apiHost.equals("0.0.0.0") && !apiHost.equals("::")) hosts.add(canonical(apiHost));
    hostName().ifPresent(hosts::add);
    String domain = config.hasPath("troupe.net.dns.domain") ? config.getString("troupe.net.dns.domain")
        : "cluster.local";
    hosts.addAll(List.of("kubernetes", "kubernetes.default", "kubernetes.default.svc",
        "kubernetes.default.svc." + domain));
    moreHosts.forEach(h -> hosts.add(canonical(h)));
    return List.copyOf(hosts);
  }

  private static String canonical(String host) {
    return CertificateAuthority.isIpAddress(host) ? CertificateAuthority.canonicalIp(host) : host;
  }

  /** The machine's host name, without a DNS lookup (that may hang where DNS is broken). */
  static Optional<String> hostName() {
    try {
      Path kernel = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(kernel)) {
        String name = Files.readString(kernel).strip();
        if (!name.isEmpty()) return Optional.of(name);
      }
      String env = System.getenv("HOSTNAME");
      if (env != null && !env.isBlank()) return Optional.of(env.strip());
    } catch (IOException e) {
      log.debug("no host name", e);
    }
    return Optional.empty();
  }

  /**
   * The certificate and key in the files if the CA signed it, it is valid for longer than {@link #RENEW_BEFORE} and
   * {@code fits}; else a new one from {@code issue}, written there.
   */
  static KeyedCertificate loadOrIssue(CertificateAuthority ca, Path certFile, Path keyFile,
      java.util.function.Predicate<X509Certificate> fits, java.util.function.Supplier<KeyedCertificate> issue) {
    if (Files.exists(certFile) && Files.exists(keyFile)) {
      try {
        X509Certificate cert = Pem.certificates(Files.readString(certFile)).get(0);
        boolean fresh = cert.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE));
        if (ca.signed(cert) && fresh && fits.test(cert)) {
          return new KeyedCertificate(cert, Pem.privateKey(Files.readString(keyFile)));
        }
        log.info("{} is not current (another CA, other names or near its end): issuing it again", certFile);
      } catch (IOException | IllegalArgumentException e) {
        log.warn("{} unreadable ({}): issuing it again", certFile, e.getMessage());
      }
    }
    KeyedCertificate issued = issue.get();
    Pem.writeFile(keyFile, issued.keyPem(), true);
    Pem.writeFile(certFile, issued.certificatePem(), false);
    return issued;
  }

  /**
   * The client certificate of the cluster's administrator, {@code CN=troupe-admin, O=system:masters}, kept in
   * {@code pki/admin.crt} and {@code admin.key}: what the kubeconfig {@code troupe server} writes carries.
   */
  public KeyedCertificate adminCertificate() {
    return loadOrIssue(ca, pkiDirectory.resolve("admin.crt"), pkiDirectory.resolve("admin.key"),
        cert -> true, () -> ca.issueClient(ADMIN_USER, List.of("system:masters")));
  }

  /** The server's SSL context: its serving certificate (with the CA in its chain), client certificates of the CA. */
  public SSLContext serverContext() {
    try {
      char[] password = new char[0];
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("apiserver", serving.key(), password,
          new Certificate[] {serving.certificate(), ca.certificate()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), trustManagers(List.of(ca.certificate())), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up the API's TLS: " + e.getMessage(), e);
    }
  }

  /** Trust managers that trust exactly {@code cas} (PKIX: chain, signatures, validity, key usages). */
  public static javax.net.ssl.TrustManager[] trustManagers(List<X509Certificate> cas) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < cas.size(); i++) trust.setCertificateEntry("ca-" + i, cas.get(i));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return tmf.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Pekko HTTP's server side of it: TLS 1.2/1.3, client certificates wanted (not needed). */
  public HttpsConnectionContext httpsServer() {
    SSLContext context = serverContext();
    return ConnectionContext.httpsServer(() -> {
      SSLEngine engine = context.createSSLEngine();
      engine.setUseClientMode(false);
      engine.setEnabledProtocols(supported(engine, "TLSv1.3", "TLSv1.2"));
      engine.setWantClientAuth(true);
      return engine;
    });
  }

  private static String[] supported(SSLEngine engine, String... protocols) {
    List<String> supported = List.of(engine.getSupportedProtocols());
    List<String> wanted = new ArrayList<>();
    for (String p : protocols) if (supported.contains(p)) wanted.add(p);
    return wanted.toArray(String[]::new);
  }
}
