package io.troupe.control.auth;

import io.troupe.control.pki.ApiTls;
import io.troupe.control.pki.CertificateAuthority.KeyedCertificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

/** JDK HTTP clients for a test that speak TLS to a Troupe API: trusting its CA, with a client certificate or not. */
public final class TlsClients {
  private TlsClients() {}

  public static java.net.http.HttpClient trusting(X509Certificate ca) {
    return with(ca, null);
  }

  /**
   * A key manager that always presents {@code client}, whatever CAs the server names (as Go's crypto/tls does with
   * kubectl's configured certificate; the JDK's own would send none that the server's CAs did not sign).
   */
  static javax.net.ssl.X509ExtendedKeyManager always(KeyedCertificate client) {
    return new javax.net.ssl.X509ExtendedKeyManager() {
      @Override public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
        return new String[] {"client"};
      }
      @Override public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers,
          java.net.Socket socket) {
        return "client";
      }
      @Override public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
          javax.net.ssl.SSLEngine engine) {
        return "client";
      }
      @Override public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
        return null;
      }
      @Override public String chooseServerAlias(String keyType, java.security.Principal[] issuers,
          java.net.Socket socket) {
        return null;
      }
      @Override public X509Certificate[] getCertificateChain(String alias) {
        return new X509Certificate[] {client.certificate()};
      }
      @Override public java.security.PrivateKey getPrivateKey(String alias) {
        return client.key();
      }
    };
  }

  public static java.net.http.HttpClient with(X509Certificate ca, KeyedCertificate client) {
    try {
      javax.net.ssl.KeyManager[] keys = client == null ? null : new javax.net.ssl.KeyManager[] {always(client)};
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, ApiTls.trustManagers(List.of(ca)), null);
      return java.net.http.HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10))
          .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
