package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.control.pki.ApiTls;
import io.troupe.control.pki.CertificateAuthority;
import io.troupe.control.pki.CertificateAuthority.KeyedCertificate;
import io.troupe.control.pki.ClusterTls;
import io.troupe.control.pki.Pem;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Artery over mutual TLS between the JVMs of a cluster (config/cluster.conf): two JVMs with peer certificates of
 * the cluster CA form a cluster; a JVM on plain TCP and one whose certificate is of another CA try to join it (the
 * same database and seed nodes) and never become members.
 */
class ClusterTlsTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final Path LOGS = Path.of("target", "cluster-logs");
  final List<AutoCloseable> closeables = new ArrayList<>();
  TestCluster cluster;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) c.close();
    if (cluster != null) cluster.close();
  }

  @Test
  void membersWithCertificatesOfTheClusterCaFormAClusterAndOutsidersCannotJoin() throws Exception {
    cluster = new TestCluster(2, LOGS);
    cluster.startAll();
    KubernetesClient client = cluster.server(0).client();
    closeables.add(client);
    for (int i = 0; i < 2; i++) {
      ServerProcess server = cluster.server(i);
      Fabric8Clients.awaitUntil(DEADLINE, () -> ClusterTest.membersUp(server) == 2, () -> "2 members Up");
    }

    // each member made a peer certificate of the cluster CA (server and client) for its cluster address host
    Path clusterDir = cluster.server(0).kubeconfig().getParent().getParent();
    X509Certificate ca = Pem.certificates(Files.readString(clusterDir.resolve("pki/ca.crt"))).get(0);
    X509Certificate peer = Pem.certificates(Files.readString(clusterDir.resolve("jvm-0/pki/peer.crt"))).get(0);
    assertEquals("CN=" + ClusterTls.PEER_NAME, peer.getSubjectX500Principal().getName());
    assertEquals(ca.getSubjectX500Principal(), peer.getIssuerX500Principal());
    peer.verify(ca.getPublicKey());
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), peer.getExtendedKeyUsage());
    assertTrue(CertificateAuthority.subjectAltNames(peer).contains("127.0.0.1"));

    // the member's port speaks TLS with that certificate, and wants one back: a client without one is refused
    assertTrue(refuses(cluster.clusterAddress(0), ca, peer, null), "a TLS client without a certificate is refused");
    // nor does any certificate of the CA make a member: the admin's client certificate lacks the peer name
    Path pki0 = clusterDir.resolve("jvm-0/pki");
    KeyedCertificate admin = new KeyedCertificate(Pem.certificates(Files.readString(pki0.resolve("admin.crt"))).get(0),
        Pem.privateKey(Files.readString(pki0.resolve("admin.key"))));
    assertTrue(refuses(cluster.clusterAddress(0), ca, peer, admin), "the admin's client certificate is refused");

    // outsiders: plain TCP, and TLS with a peer certificate of another CA (its own data dir makes a CA of its own)
    Path outside = Files.createTempDirectory("troupe-outsiders");
    ServerProcess plain = outsider(outside, "plain", "troupe.cluster.tls.enabled = false");
    ServerProcess foreign = outsider(outside, "foreign", "troupe.cluster.tls.enabled = true");
    // each found the members in the database and asked them to let it join, again and again (Pekko's join
    // process retries every seed-node-timeout, 5 s): a JVM the members accept is Up ~1 s after its first attempt
    Fabric8Clients.awaitUntil(DEADLINE, () -> refusedThrice(plain) && refusedThrice(foreign),
        () -> "both outsiders tried 3 times to join: " + plain.stderrTail() + "\n" + foreign.stderrTail());
    // the other CA's JVM sees why: the members' certificates are not of its CA (nor its of theirs)
    assertTrue(foreign.stderrText().contains("SSLHandshakeException: PKIX path"), foreign.stderrTail());
    for (int i = 0; i < 2; i++) assertEquals(2, ClusterTest.membersUp(cluster.server(i)), "members Up seen by jvm-" + i);
    assertEquals(List.of("n0", "n1"), client.nodes().list().getItems().stream()
        .map(Node::getMetadata).map(m -> m.getName()).sorted().toList());
    assertEquals(List.of(clusterUri(0), clusterUri(1)).stream().sorted().toList(), registeredMembers(),
        "the members recorded alive in the database");
    assertTrue(plain.isAlive() && foreign.isAlive(), "the outsiders still wait to join");
  }

  private ServerProcess outsider(Path dir, String name, String tls) throws IOException {
    Path conf = dir.resolve(name + ".conf");
    Files.writeString(conf, String.join("\n",
        "include classpath(\"cluster.conf\")",
        "troupe.postgres.url = \"" + cluster.database().url() + "\"",
        "troupe.node { runtime = simulated, simulated.start-delay = 100ms }",
        "troupe.api.tls.ca-cert-file = \"" + dir.resolve(name + "/pki/ca.crt") + "\"",
        "troupe.api.tls.ca-key-file = \"" + dir.resolve(name + "/pki/ca.key") + "\"",
        tls, ""));
    ServerProcess server = ServerProcess.launch(dir.resolve(name), LOGS, "outsider-" + name, List.of(
        "--config", conf.toString(), "--cluster-address", "127.0.0.1:" + TestCluster.freePort(),
        "--seed-nodes", cluster.clusterAddress(0) + "," + cluster.clusterAddress(1), "--node-name", name));
    closeables.add(server);
    return server;
  }

  /** The outsider found the members in the database and has asked them three times to join, in vain. */
  private static boolean refusedThrice(ServerProcess server) {
    String log = server.stderrText();
    return log.contains("joining the running cluster") && log.contains("Couldn't join seed nodes after [3] attempts");
  }

  private String clusterUri(int i) {
    return "pekko://troupe@" + cluster.clusterAddress(i);
  }

  /** The members the cluster records alive in its database, by address. */
  private List<String> registeredMembers() throws Exception {
    try (Connection c = cluster.database().connect();
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT address FROM troupe_cluster_members ORDER BY address")) {
      List<String> addresses = new ArrayList<>();
      while (rs.next()) addresses.add(rs.getString(1));
      return addresses.stream().sorted().toList();
    }
  }

  /**
   * Connects to a member's cluster port as a TLS client that trusts the cluster CA and presents {@code client} (none
   * when null): true when the member, having shown its peer certificate in the handshake, then closes the connection
   * (with TLS 1.3 a server checks the client's certificate after the client has finished its part of the handshake,
   * and Artery checks the peer name after that); false when it keeps the connection open, waiting for Artery's data.
   */
  private static boolean refuses(String address, X509Certificate ca, X509Certificate peer, KeyedCertificate client)
      throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    KeyManager[] keys = null;
    if (client != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", client.key(), new char[0], new Certificate[] {client.certificate()});
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, new char[0]);
      keys = factory.getKeyManagers();
    }
    context.init(keys, ApiTls.trustManagers(List.of(ca)), null);
    int colon = address.lastIndexOf(':');
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.substring(0, colon),
        Integer.parseInt(address.substring(colon + 1)))) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      assertEquals(peer.getSerialNumber(),
          ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber(),
          "the member presents its peer certificate");
      try {
        return socket.getInputStream().read() == -1;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }
  }
}
