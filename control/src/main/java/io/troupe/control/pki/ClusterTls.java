package io.troupe.control.pki;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.troupe.control.pki.CertificateAuthority.KeyedCertificate;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS between the JVMs of a cluster ({@code troupe.cluster.tls}): Pekko's Artery over {@code tls-tcp}, with Pekko's
 * {@code RotatingKeysSSLEngineProvider} reading PEM files. Each JVM holds a peer certificate signed by the cluster CA
 * ({@code troupe.api.tls.ca-cert-file}, the one its API's certificates come from), made at start in
 * {@code <data-dir>/pki/peer.crt} and {@code peer.key} when absent (kubeadm's etcd {@code peer.crt}: good for
 * server and client, SANs the JVM's cluster address host). The provider requires client certificates (mutual TLS)
 * and trusts the cluster CA alone, so a JVM without a certificate of that CA cannot open a connection to a member
 * (nor a member one to it), and so cannot join. After the handshake it also checks that the peer's certificate
 * shares a subject name with its own: every peer certificate has the common name {@link #PEER_NAME}, so the CA's
 * other certificates (the API's, a user's client certificate) do not make a member. It does not verify host names:
 * the certificate, not the address, says who is a member.
 */
public final class ClusterTls {
  private static final Logger log = LoggerFactory.getLogger(ClusterTls.class);
  /** The common name of every peer certificate: what the provider's peer check finds on both ends. */
  public static final String PEER_NAME = "troupe-cluster-peer";
  static final String PROVIDER = "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider";
  private static final String ENGINE = "pekko.remote.artery.ssl.rotating-keys-engine.";

  private ClusterTls() {}

  /**
   * {@code config} with Artery over mutual TLS when {@code troupe.cluster.tls.enabled}: this JVM's peer certificate
   * checked (issued again when absent, of another CA, without its cluster address host or near its end) and Pekko's
   * transport settings pointing at it. Unchanged when disabled. Runs before the ActorSystem starts (it reads these).
   */
  public static Config configure(Config config) {
    if (!enabled(config)) return config;
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(ApiTls.caCertFile(config), ApiTls.caKeyFile(config),
        config.getString("troupe.api.tls.ca-common-name"));
    List<String> hosts = hosts(config);
    Path certFile = path(config, "troupe.cluster.tls.cert-file", "peer.crt");
    Path keyFile = path(config, "troupe.cluster.tls.key-file", "peer.key");
    KeyedCertificate peer = ApiTls.loadOrIssue(ca, certFile, keyFile,
        cert -> cert.getSubjectX500Principal().getName().equals("CN=" + PEER_NAME)
            && CertificateAuthority.subjectAltNames(cert).stream().map(n -> n.toLowerCase(Locale.ROOT)).toList()
                .containsAll(hosts),
        () -> ca.issuePeer(PEER_NAME, hosts));
    log.info("cluster TLS: Artery over tls-tcp, peer certificate {} (valid until {}) of the CA {}", certFile,
        peer.certificate().getNotAfter().toInstant(), ApiTls.caCertFile(config));
    return ConfigFactory.parseMap(Map.of(
        "pekko.remote.artery.transport", "tls-tcp",
        "pekko.remote.artery.ssl.ssl-engine-provider", PROVIDER,
        ENGINE + "cert-file", certFile.toString(),
        ENGINE + "key-file", keyFile.toString(),
        ENGINE + "ca-cert-file", ApiTls.caCertFile(config).toString()))
        .withFallback(config);
  }

  public static boolean enabled(Config config) {
    return config.hasPath("troupe.cluster.tls.enabled") && config.getBoolean("troupe.cluster.tls.enabled");
  }

  /** The peer certificate's SANs: the host of this JVM's cluster address (unless it is one of Pekko's placeholders). */
  static List<String> hosts(Config config) {
    String host = config.getString("pekko.remote.artery.canonical.hostname").strip();
    if (host.isEmpty() || host.startsWith("<")) return List.of();
    return List.of((CertificateAuthority.isIpAddress(host) ? CertificateAuthority.canonicalIp(host) : host)
        .toLowerCase(Locale.ROOT));
  }

  private static Path path(Config config, String key, String defaultName) {
    String value = config.getString(key);
    return value.isBlank() ? ApiTls.pkiDirectory(config).resolve(defaultName)
        : Path.of(value).toAbsolutePath().normalize();
  }
}
