package io.troupe.net.ingress;

import io.troupe.net.ingress.TlsCertificates.CertifiedKey;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses the HTTPS listener's certificate per connection by the server name the client asks for (SNI).
 *
 * <p>Written by hand because the JDK's key managers choose among the entries of a fixed KeyStore by key type and
 * issuer only, never by SNI (that needs the handshake session, which only an {@link X509ExtendedKeyManager} sees),
 * and Pekko HTTP takes one SSLContext per listener. This one reads the current {@link TlsCertificates}, which are
 * swapped as Ingresses and Secrets change, so certificates change without rebinding the port. A handshake for a
 * host with no certificate fails (there is no default certificate unless an Ingress's {@code tls} entry lists no
 * hosts).
 */
final class SniKeyManager extends X509ExtendedKeyManager {
  private volatile TlsCertificates current = TlsCertificates.NONE;
  /** The set before the last swap: a handshake that chose an alias just before a swap still finds its key. */
  private volatile TlsCertificates previous = TlsCertificates.NONE;

  void update(TlsCertificates certificates) {
    previous = current;
    current = certificates;
  }

  SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new javax.net.ssl.KeyManager[] {this}, null, null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return choose(keyType, engine == null ? null : engine.getHandshakeSession());
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    SSLSession session = socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null;
    return choose(keyType, session);
  }

  private String choose(String keyType, SSLSession session) {
    CertifiedKey key = current.forHost(serverName(session));
    return key != null && key.keyType().equals(keyType) ? key.alias() : null;
  }

  /** The host name the client sent in its SNI extension, or null. */
  static String serverName(SSLSession session) {
    if (!(session instanceof ExtendedSSLSession extended)) return null;
    List<SNIServerName> names = extended.getRequestedServerNames();
    for (SNIServerName name : names) {
      if (name.getType() == StandardConstants.SNI_HOST_NAME) return ((SNIHostName) name).getAsciiName();
    }
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    CertifiedKey key = find(alias);
    return key == null ? null : key.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    CertifiedKey key = find(alias);
    return key == null ? null : key.key();
  }

  private CertifiedKey find(String alias) {
    if (alias == null) return null;
    CertifiedKey key = current.byAlias(alias);
    return key != null ? key : previous.byAlias(alias);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return current.all().stream().filter(k -> k.keyType().equals(keyType)).map(CertifiedKey::alias)
        .toArray(String[]::new);
  }

  // a server only: no client certificates

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
