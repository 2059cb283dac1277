package io.troupe.persistence.encryption;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts and decrypts stored values as Kubernetes' {@code aesgcm} provider does: AES-256-GCM with a random 96-bit
 * nonce per value, written as {@code k8s:enc:aesgcm:v1:<key name>:} + nonce + ciphertext and 128-bit tag. The key
 * name travels with each value, so any key of the ring that has that name decrypts it. {@code context} (the value's
 * manifest) is authenticated with it, so a ciphertext cannot pass for another kind of value. A value without the
 * prefix is plaintext, written before encryption was on, and is given back as it is.
 *
 * <p>Random nonces: NIST bounds one key at 2^32 encryptions; rotate long before (Kubernetes advises every 200k
 * writes for this provider).
 */
public final class AesGcmTransformer {
  static final String PREFIX = "k8s:enc:aesgcm:v1:";
  private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final EncryptionKeys keys;
  private final SecureRandom random = new SecureRandom();

  public AesGcmTransformer(EncryptionKeys keys) {
    this.keys = keys;
  }

  public EncryptionKeys keys() {
    return keys;
  }

  /** Whether {@code stored} is a value this transformer wrote (rather than plaintext). */
  public static boolean isEncrypted(byte[] stored) {
    return stored.length >= PREFIX_BYTES.length
        && Arrays.equals(stored, 0, PREFIX_BYTES.length, PREFIX_BYTES, 0, PREFIX_BYTES.length);
  }

  /** The name of the key an encrypted value was written with. */
  public static String keyNameOf(byte[] stored) {
    for (int i = PREFIX_BYTES.length; i < stored.length && i < PREFIX_BYTES.length + 65; i++) {
      if (stored[i] == ':') return new String(stored, PREFIX_BYTES.length, i - PREFIX_BYTES.length,
          StandardCharsets.US_ASCII);
    }
    throw new UndecryptableException("an encrypted value without a key name");
  }

  /** {@code plain} encrypted with the first key. */
  public byte[] encrypt(byte[] plain, String context) {
    EncryptionKeys.Key key = keys.primary();
    byte[] prefix = (PREFIX + key.name() + ":").getBytes(StandardCharsets.US_ASCII);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plain);
      byte[] out = new byte[prefix.length + NONCE_BYTES + sealed.length];
      System.arraycopy(prefix, 0, out, 0, prefix.length);
      System.arraycopy(nonce, 0, out, prefix.length, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, prefix.length + NONCE_BYTES, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e);
    }
  }

  /** The plaintext of a stored value: decrypted when it is encrypted, else as it is. */
  public byte[] decrypt(byte[] stored, String context) {
    if (!isEncrypted(stored)) return stored;
    String name = keyNameOf(stored);
    EncryptionKeys.Key key = keys.named(name);
    if (key == null) {
      throw new UndecryptableException("a Secret in the journal was encrypted with key \"" + name
          + "\", which is not among the keys of " + keys.source() + " " + keys.names());
    }
    int start = PREFIX_BYTES.length + name.length() + 1;
    if (stored.length < start + NONCE_BYTES + TAG_BITS / 8) {
      throw new UndecryptableException("an encrypted value of key \"" + name + "\" is truncated");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_BITS, stored, start, NONCE_BYTES));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(stored, start + NONCE_BYTES, stored.length - start - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new UndecryptableException("a Secret in the journal encrypted with key \"" + name + "\" does not "
          + "decrypt with the key of that name in " + keys.source() + ": it is another key, or the value was altered");
    } catch (GeneralSecurityException e) {
      throw new UndecryptableException("AES-GCM decryption failed: " + e.getMessage());
    }
  }

  /** A stored value that the configured keys cannot decrypt. Its message names keys, never contents. */
  public static final class UndecryptableException extends RuntimeException {
    public UndecryptableException(String message) {
      super(message);
    }
  }
}
