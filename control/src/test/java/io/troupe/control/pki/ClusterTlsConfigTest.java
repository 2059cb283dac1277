package io.troupe.control.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ClusterTls#configure}: the peer certificate it makes or keeps, and the Artery settings it writes. */
class ClusterTlsConfigTest {
  @TempDir
  Path dataDir;

  private Config config(boolean enabled, String host) {
    return ConfigFactory.parseMap(Map.of(
            "troupe.data-dir", dataDir.toString(),
            "troupe.cluster.tls.enabled", enabled,
            "pekko.remote.artery.canonical.hostname", host))
        .withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void disabledLeavesTheConfigurationAlone() {
    Config config = config(false, "127.0.0.1");
    assertSame(config, ClusterTls.configure(config));
    assertTrue(Files.notExists(dataDir.resolve("pki")));
  }

  @Test
  void enabledRunsArteryOverTlsWithAPeerCertificateOfTheClusterCa() throws Exception {
    Config configured = ClusterTls.configure(config(true, "127.0.0.1"));
    String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
    assertEquals("tls-tcp", configured.getString("pekko.remote.artery.transport"));
    assertEquals(ClusterTls.PROVIDER, configured.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
    Path pki = dataDir.resolve("pki").toAbsolutePath();
    assertEquals(pki.resolve("peer.crt").toString(), configured.getString(engine + "cert-file"));
    assertEquals(pki.resolve("peer.key").toString(), configured.getString(engine + "key-file"));
    assertEquals(pki.resolve("ca.crt").toString(), configured.getString(engine + "ca-cert-file"));

    CertificateAuthority ca = CertificateAuthority.load(pki.resolve("ca.crt"), pki.resolve("ca.key"));
    X509Certificate peer = peer();
    assertTrue(ca.signed(peer));
    assertEquals("CN=" + ClusterTls.PEER_NAME, peer.getSubjectX500Principal().getName());
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), peer.getExtendedKeyUsage(),
        "serverAuth and clientAuth: both ends of a connection present it");
    assertEquals(List.of("127.0.0.1"), CertificateAuthority.subjectAltNames(peer));
    // its private key is the owner's alone
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(pki.resolve("peer.key"))));

    // kept across restarts; issued again when the cluster address moves to another host
    ClusterTls.configure(config(true, "127.0.0.1"));
    assertEquals(peer.getSerialNumber(), peer().getSerialNumber());
    ClusterTls.configure(config(true, "10.1.2.3"));
    X509Certificate moved = peer();
    assertNotEquals(peer.getSerialNumber(), moved.getSerialNumber());
    assertEquals(List.of("10.1.2.3"), CertificateAuthority.subjectAltNames(moved));
  }

  private X509Certificate peer() throws Exception {
    return Pem.certificates(Files.readString(dataDir.resolve("pki/peer.crt"))).get(0);
  }
}
