package io.troupe.control.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's certificate authority (kubeadm's {@code pki/ca.crt} and {@code ca.key}): a self-signed CA valid ten
 * years, which signs the API server's serving certificate and client certificates (CN = user name, O = groups, as
 * Kubernetes reads them). Keys are RSA 2048, kubeadm's default, written as PKCS#8: every client here takes them
 * (Go's crypto/tls, the JDK, fabric8's PEM reader). ECDSA P-256 keys are made far faster (an RSA key took 1-4 s
 * on a loaded 2-core machine, paid at the first start only), but fabric8 8.0 reads neither their PKCS#8 form nor
 * the SEC 1 form Bouncy Castle writes without the public key (which Go refuses too).
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key) {
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  /** kubeadm's validity of the certificates it issues. */
  public static final Duration LEAF_VALIDITY = Duration.ofDays(365);
  /** Clocks of clients and servers disagree a little: a certificate is valid from a moment before it was made. */
  private static final Duration BACKDATE = Duration.ofMinutes(5);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate with its private key. */
  public record KeyedCertificate(X509Certificate certificate, PrivateKey key) {
    public String certificatePem() {
      return Pem.certificate(certificate);
    }

    public String keyPem() {
      return Pem.privateKey(key);
    }
  }

  /**
   * The CA in {@code certFile} and {@code keyFile}, made there when neither exists. Several JVMs of one host may start
   * on the same files at once: a lock file beside them lets one create them and the others read them.
   */
  public static CertificateAuthority loadOrCreate(Path certFile, Path keyFile, String commonName) {
    try {
      Files.createDirectories(certFile.toAbsolutePath().getParent());
      Path lock = certFile.resolveSibling(certFile.getFileName() + ".lock");
      try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock held = channel.lock()) {
        boolean cert = Files.exists(certFile);
        boolean key = Files.exists(keyFile);
        if (cert && key) return load(certFile, keyFile);
        if (cert || key) {
          throw new IllegalStateException("the cluster CA is half there: " + (cert ? certFile : keyFile)
              + " exists, " + (cert ? keyFile : certFile) + " does not; restore it or remove both");
        }
        CertificateAuthority ca = create(commonName);
        Pem.writeFile(keyFile, Pem.privateKey(ca.key()), true);
        Pem.writeFile(certFile, Pem.certificate(ca.certificate()), false);
        return ca;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the cluster CA at " + certFile, e);
    }
  }

  public static CertificateAuthority load(Path certFile, Path keyFile) {
    try {
      X509Certificate cert = Pem.certificates(Files.readString(certFile)).get(0);
      PrivateKey key = Pem.privateKey(Files.readString(keyFile));
      return new CertificateAuthority(cert, key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the cluster CA " + certFile + " / " + keyFile, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the cluster CA " + certFile + " / " + keyFile + ": " + e.getMessage(), e);
    }
  }

  /** A new self-signed CA. */
  public static CertificateAuthority create(String commonName) {
    KeyPair pair = newKeyPair();
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot make a CA: " + e.getMessage(), e);
    }
  }

  /** A serving certificate for the API: CN {@code commonName}, the names and addresses of {@code hosts} as SANs. */
  public KeyedCertificate issueServing(String commonName, List<String> hosts) {
    return issue(commonName, List.of(), hosts, KeyPurposeId.id_kp_serverAuth);
  }

  /** A client certificate: CN = the user's name, one O per group (Kubernetes' x509 authenticator reads both). */
  public KeyedCertificate issueClient(String user, List<String> groups) {
    return issue(user, groups, List.of(), KeyPurposeId.id_kp_clientAuth);
  }

  /**
   * A peer certificate (etcd's peer certificates in kubeadm): both ends of a connection between the JVMs of a
   * cluster present one, so it is good for TLS servers and clients; {@code hosts} as SANs.
   */
  public KeyedCertificate issuePeer(String commonName, List<String> hosts) {
    return issue(commonName, List.of(), hosts, KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
  }

  private KeyedCertificate issue(String commonName, List<String> organizations, List<String> hosts,
      KeyPurposeId... purposes) {
    KeyPair pair = newKeyPair();
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    organizations.forEach(o -> subject.addRDN(BCStyle.O, o));
    subject.addRDN(BCStyle.CN, commonName);
    Instant now = Instant.now();
    Instant notAfter = now.plus(LEAF_VALIDITY);
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) notAfter = certificate.getNotAfter().toInstant();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
          Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject.build(), pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
          .addExtension(Extension.authorityKeyIdentifier, false,
              ext.createAuthorityKeyIdentifier(certificate));
      if (!hosts.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
            hosts.stream().distinct().map(CertificateAuthority::generalName).toArray(GeneralName[]::new)));
      }
      return new KeyedCertificate(sign(builder, key), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code cert} was signed by this CA (its key) and is valid now. */
  public boolean signed(X509Certificate cert) {
    try {
      cert.verify(certificate.getPublicKey());
      cert.checkValidity();
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static boolean isIpAddress(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  private static GeneralName generalName(String host) {
    if (isIpAddress(host)) {
      try {
        return new GeneralName(GeneralName.iPAddress,
            new org.bouncycastle.asn1.DEROctetString(InetAddress.getByName(host).getAddress()));
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("not an IP address: " + host, e);
      }
    }
    return new GeneralName(GeneralName.dNSName, host);
  }

  /** The DNS names and IP addresses a certificate's SAN extension lists (IP addresses in canonical text). */
  public static List<String> subjectAltNames(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      var sans = cert.getSubjectAlternativeNames();
      if (sans == null) return names;
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        if (type == GeneralName.dNSName) names.add((String) san.get(1));
        if (type == GeneralName.iPAddress) names.add(canonicalIp((String) san.get(1)));
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return names;
    }
    return names;
  }

  static String canonicalIp(String ip) {
    try {
      return InetAddress.getByName(ip).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return ip;
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
    } catch (OperatorCreationException | java.security.cert.CertificateException e) {
      throw new IllegalStateException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A positive 127-bit random serial, as RFC 5280 allows (up to 20 octets) and Go's tooling makes. */
  private static BigInteger serial() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    bytes[0] &= 0x7f;
    BigInteger serial = new BigInteger(bytes);
    return serial.signum() == 0 ? BigInteger.ONE : serial;
  }
}
