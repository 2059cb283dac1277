package io.troupe.net.ingress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates for the tests, made as a user would: {@code keytool -genkeypair} (a real process), then
 * exported to PEM with the JDK's public API (the key's PKCS#8 encoding, the certificate's DER).
 */
final class TestCertificates {
  record Pair(X509Certificate certificate, PrivateKey key) {
    String certificatePem() {
      return pem("CERTIFICATE", encoded());
    }

    /** PKCS#8 ({@code PRIVATE KEY}). */
    String keyPem() {
      return pem("PRIVATE KEY", key.getEncoded());
    }

    /** PKCS#1 ({@code RSA PRIVATE KEY}): the RSAPrivateKey inside the PKCS#8 structure. */
    String rsaKeyPem() {
      return pem("RSA PRIVATE KEY", pkcs1(key.getEncoded()));
    }

    private byte[] encoded() {
      try {
        return certificate.getEncoded();
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private TestCertificates() {}

  /** A key pair ({@code RSA} or {@code EC}) and a self-signed certificate for {@code host} (CN and DNS SAN). */
  static Pair generate(Path dir, String host, String algorithm) throws Exception {
    Path store = dir.resolve(host + ".p12");
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "server",
        "-keyalg", algorithm, "-dname", "CN=" + host, "-ext", "SAN=dns:" + host, "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
    command.addAll(algorithm.equals("EC") ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("keytool: " + output);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    return new Pair((X509Certificate) ks.getCertificate("server"),
        (PrivateKey) ks.getKey("server", "changeit".toCharArray()));
  }

  /** A client context that trusts exactly these certificates. */
  static SSLContext trusting(Pair... pairs) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (int i = 0; i < pairs.length; i++) trust.setCertificateEntry("c" + i, pairs[i].certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  /** PrivateKeyInfo ::= SEQUENCE { version INTEGER, algorithm SEQUENCE, privateKey OCTET STRING }: the octets. */
  static byte[] pkcs1(byte[] pkcs8) {
    int[] at = {0};
    header(pkcs8, at); // the outer SEQUENCE: step inside
    int version = header(pkcs8, at);
    at[0] += version;
    int algorithm = header(pkcs8, at);
    at[0] += algorithm;
    int length = header(pkcs8, at); // privateKey
    return Arrays.copyOfRange(pkcs8, at[0], at[0] + length);
  }

  /** Reads a DER tag and length at {@code at}, leaves {@code at} at the content, returns the content's length. */
  private static int header(byte[] der, int[] at) {
    at[0]++; // tag
    int first = der[at[0]++] & 0xff;
    if (first < 0x80) return first;
    int length = 0;
    for (int i = 0; i < (first & 0x7f); i++) length = (length << 8) | (der[at[0]++] & 0xff);
    return length;
  }

}
