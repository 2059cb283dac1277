package io.troupe.control.auth;

import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.SslSessionInfo;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Client certificates signed by the cluster CA, as Kubernetes' x509 authenticator reads them: the subject's CN is the
 * user's name, each O a group. The TLS session comes with the request (Pekko HTTP's {@code ssl-session-attribute});
 * the handshake has already checked the chain against the CA, and this checks the leaf again (signed by a trusted
 * CA, valid now, meant for client authentication) so that it holds whatever the TLS setup.
 */
public final class ClientCertificateAuthenticator implements Authenticator {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";
  private final List<X509Certificate> cas;

  public ClientCertificateAuthenticator(List<X509Certificate> cas) {
    this.cas = List.copyOf(cas);
  }

  @Override
  public Authentication authenticate(HttpRequest request) {
    Optional<X509Certificate> leaf = peerCertificate(request);
    if (leaf.isEmpty()) return new Authentication.NoCredentials();
    X509Certificate cert = leaf.get();
    if (!signedByCa(cert)) return new Authentication.Rejected("client certificate not signed by the cluster CA");
    try {
      cert.checkValidity();
    } catch (GeneralSecurityException e) {
      return new Authentication.Rejected("client certificate not valid now: " + e.getMessage());
    }
    try {
      List<String> usages = cert.getExtendedKeyUsage();
      if (usages != null && !usages.contains(CLIENT_AUTH) && !usages.contains(ANY_USAGE)) {
        return new Authentication.Rejected("client certificate not meant for client authentication");
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return new Authentication.Rejected("client certificate unreadable: " + e.getMessage());
    }
    X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    List<String> names = values(subject, BCStyle.CN);
    if (names.isEmpty() || names.get(0).isEmpty()) {
      return new Authentication.Rejected("client certificate without a common name");
    }
    return new Authentication.Authenticated(new UserInfo(names.get(0), "", values(subject, BCStyle.O)));
  }

  private boolean signedByCa(X509Certificate cert) {
    for (X509Certificate ca : cas) {
      if (!ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) continue;
      try {
        cert.verify(ca.getPublicKey());
        return true;
      } catch (GeneralSecurityException e) {
        // another key of the same name
      }
    }
    return false;
  }

  private static List<String> values(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    List<String> values = new ArrayList<>();
    for (RDN rdn : name.getRDNs(type)) {
      for (var atv : rdn.getTypesAndValues()) {
        if (atv.getType().equals(type)) values.add(text(atv.getValue()));
      }
    }
    return values;
  }

  private static String text(ASN1Encodable value) {
    return value instanceof ASN1String s ? s.getString() : IETFUtils.valueToString(value);
  }

  /** The client's certificate, if the request came over TLS with one. */
  static Optional<X509Certificate> peerCertificate(HttpRequest request) {
    Optional<SslSessionInfo> info = request.getAttribute(AttributeKeys.sslSession);
    if (info.isEmpty()) return Optional.empty();
    SSLSession session = info.get().getSession();
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate x509) return Optional.of(x509);
    } catch (SSLPeerUnverifiedException none) {
      // the client sent no certificate
    }
    return Optional.empty();
  }
}
