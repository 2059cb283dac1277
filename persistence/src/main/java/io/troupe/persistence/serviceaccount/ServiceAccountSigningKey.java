package io.troupe.persistence.serviceaccount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * The RSA key that signs service account tokens (kubeadm's {@code sa.key}), read from a PEM file ({@code PRIVATE
 * KEY}, PKCS#8, or {@code RSA PRIVATE KEY}, PKCS#1) or, when the file does not exist, made (2048 bits) and written
 * there (mode 0600). The public key comes from the private one. The key id is what kube-apiserver puts in a
 * token's header: the unpadded base64url SHA-256 of the public key's DER encoding.
 */
public record ServiceAccountSigningKey(RSAPrivateCrtKey privateKey, RSAPublicKey publicKey, String keyId) {
  private static final String PKCS8 = "PRIVATE KEY";
  private static final String PKCS1 = "RSA PRIVATE KEY";

  /** The key in {@code file}, made there first if the file does not exist. */
  public static ServiceAccountSigningKey loadOrCreate(Path file) {
    try {
      if (!Files.exists(file)) create(file);
      return read(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the service account key " + file, e);
    }
  }

  /** The key of a PEM text. */
  public static ServiceAccountSigningKey read(String pem) {
    try {
      byte[] der;
      if (pem.contains("-----BEGIN " + PKCS8 + "-----")) {
        der = base64(pem, PKCS8);
      } else if (pem.contains("-----BEGIN " + PKCS1 + "-----")) {
        der = pkcs1ToPkcs8(base64(pem, PKCS1));
      } else {
        throw new IllegalArgumentException("the service account key must be a PEM RSA private key");
      }
      RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(der));
      RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
          .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
      String keyId = Base64.getUrlEncoder().withoutPadding()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()));
      return new ServiceAccountSigningKey(key, publicKey, keyId);
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("not an RSA private key: " + e.getMessage(), e);
    }
  }

  /** A new key in PKCS#8 PEM. */
  public static String generatePem() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(pair.getPrivate().getEncoded());
      return "-----BEGIN " + PKCS8 + "-----\n" + body + "\n-----END " + PKCS8 + "-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Written to a temporary file and moved into place, so that two JVMs starting at once agree on one key. */
  private static void create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, ".sa-key", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, generatePem(), StandardCharsets.US_ASCII);
      try {
        // a link fails when the file exists: the first JVM's key wins
        Files.createLink(file, temp);
      } catch (FileAlreadyExistsException e) {
        // another JVM made it first
      } catch (UnsupportedOperationException | AtomicMoveNotSupportedException e) {
        if (!Files.exists(file)) Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static byte[] base64(String pem, String label) {
    int start = pem.indexOf("-----BEGIN " + label + "-----") + ("-----BEGIN " + label + "-----").length();
    int end = pem.indexOf("-----END " + label + "-----", start);
    if (end < 0) throw new IllegalArgumentException("the PEM block " + label + " has no end");
    return Base64.getMimeDecoder().decode(pem.substring(start, end));
  }

  /**
   * PKCS#1 {@code RSAPrivateKey} wrapped in a PKCS#8 {@code PrivateKeyInfo} (version 0, algorithm rsaEncryption
   * with NULL parameters, the key as an OCTET STRING), which is what the JDK reads. Written by hand: the JDK has
   * no PKCS#1 reader, and a dozen bytes of DER do not justify a dependency.
   */
  static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = tlv(0x04, pkcs1);
    byte[] content = new byte[version.length + algorithm.length + octets.length];
    System.arraycopy(version, 0, content, 0, version.length);
    System.arraycopy(algorithm, 0, content, version.length, algorithm.length);
    System.arraycopy(octets, 0, content, version.length + algorithm.length, octets.length);
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] value) {
    int n = value.length;
    byte[] length;
    if (n < 0x80) {
      length = new byte[] {(byte) n};
    } else if (n < 0x100) {
      length = new byte[] {(byte) 0x81, (byte) n};
    } else if (n < 0x10000) {
      length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    } else {
      length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
    byte[] out = new byte[1 + length.length + n];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(value, 0, out, 1 + length.length, n);
    return out;
  }
}
