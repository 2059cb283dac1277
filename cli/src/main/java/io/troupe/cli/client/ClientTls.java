package io.troupe.cli.client;

import io.troupe.control.pki.Pem;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client's TLS from a kubeconfig, as client-go sets it up: trust the cluster's CA ({@code
 * certificate-authority-data}) or, without one, the system's CAs; {@code insecure-skip-tls-verify} trusts any server
 * (hostname included: in the JDK the trust manager checks the name); a configured client certificate is presented
 * whatever CAs the server names (Go's crypto/tls does the same; the JDK's own key manager would send none that the
 * server's CAs did not sign).
 */
public final class ClientTls {
  private ClientTls() {}

  public static SSLContext context(Kubeconfig config) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers(config.credentials()), trustManagers(config.trust()), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new CliException("error: cannot set up TLS: " + e.getMessage());
    }
  }

  private static KeyManager[] keyManagers(Kubeconfig.Credentials credentials) {
    if (credentials.clientCertificate() == null && credentials.clientKey() == null) return null;
    if (credentials.clientCertificate() == null || credentials.clientKey() == null) {
      throw new CliException("error: client-key-data or client-key must be specified for "
          + Kubeconfig.USER + " to use the clientCert authentication method.");
    }
    List<X509Certificate> chain;
    PrivateKey key;
    try {
      chain = Pem.certificates(credentials.clientCertificate());
      key = Pem.privateKey(credentials.clientKey());
    } catch (IllegalArgumentException e) {
      throw new CliException("error: the client certificate or key of the kubeconfig: " + e.getMessage());
    }
    X509Certificate[] certificates = chain.toArray(X509Certificate[]::new);
    return new KeyManager[] {new X509ExtendedKeyManager() {
      @Override public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {"client"};
      }

      @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return "client";
      }

      @Override public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return "client";
      }

      @Override public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
      }

      @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
      }

      @Override public X509Certificate[] getCertificateChain(String alias) {
        return certificates.clone();
      }

      @Override public PrivateKey getPrivateKey(String alias) {
        return key;
      }
    }};
  }

  private static TrustManager[] trustManagers(Kubeconfig.ClusterTrust trust) throws GeneralSecurityException {
    if (trust.insecureSkipTlsVerify()) return new TrustManager[] {new TrustingEveryone()};
    if (trust.certificateAuthority() == null) return null; // the JDK's CAs
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      List<X509Certificate> cas = Pem.certificates(trust.certificateAuthority());
      for (int i = 0; i < cas.size(); i++) store.setCertificateEntry("ca-" + i, cas.get(i));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return tmf.getTrustManagers();
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new CliException("error: the certificate-authority of the kubeconfig: " + e.getMessage());
    }
  }

  /** {@code insecure-skip-tls-verify: true}: no check of the server's certificate or name. */
  private static final class TrustingEveryone extends X509ExtendedTrustManager {
    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
