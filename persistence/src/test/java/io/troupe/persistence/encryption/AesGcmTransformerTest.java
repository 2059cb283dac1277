package io.troupe.persistence.encryption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The value format, the key ring and the key file, without an actor system. */
class AesGcmTransformerTest {
  private static final byte[] PLAIN = "{\"object\":{\"data\":{\"password\":\"aHVudGVyMg==\"}}}"
      .getBytes(StandardCharsets.UTF_8);
  private static final String OLD = EncryptionKeys.newKeyLine();
  private static final String NEW = EncryptionKeys.newKeyLine();

  private static AesGcmTransformer ring(String... lines) {
    return new AesGcmTransformer(EncryptionKeys.parse(String.join("", lines), "test"));
  }

  @Test
  void aValueIsPrefixedWithItsKeyAndReadsBack() {
    AesGcmTransformer t = ring(NEW, OLD);
    byte[] sealed = t.encrypt(PLAIN, "Created");
    String name = NEW.split(" ")[0];
    assertTrue(new String(sealed, StandardCharsets.ISO_8859_1).startsWith("k8s:enc:aesgcm:v1:" + name + ":"));
    assertEquals(name, AesGcmTransformer.keyNameOf(sealed));
    assertEquals(("k8s:enc:aesgcm:v1:" + name + ":").length() + 12 + PLAIN.length + 16, sealed.length);
    assertArrayEquals(PLAIN, t.decrypt(sealed, "Created"));
    assertFalse(Arrays.equals(sealed, t.encrypt(PLAIN, "Created")), "a nonce of its own per value");
  }

  @Test
  void plaintextReadsAsItIs() {
    assertFalse(AesGcmTransformer.isEncrypted(PLAIN));
    assertArrayEquals(PLAIN, ring(NEW).decrypt(PLAIN, "Created"));
  }

  @Test
  void everyKeyOfTheRingDecryptsTheFirstEncrypts() {
    byte[] old = ring(OLD).encrypt(PLAIN, "Created");
    AesGcmTransformer rotated = ring(NEW, OLD);
    assertArrayEquals(PLAIN, rotated.decrypt(old, "Created"));
    assertEquals(NEW.split(" ")[0], AesGcmTransformer.keyNameOf(rotated.encrypt(PLAIN, "Created")));
    var e = assertThrows(AesGcmTransformer.UndecryptableException.class, () -> ring(NEW).decrypt(old, "Created"));
    assertTrue(e.getMessage().contains("\"" + OLD.split(" ")[0] + "\", which is not among"), e.getMessage());
  }

  @Test
  void anAlteredValueAnotherContextOrAnotherKeyOfTheSameNameIsRefused() {
    AesGcmTransformer t = ring(NEW);
    byte[] sealed = t.encrypt(PLAIN, "Created");
    assertThrows(AesGcmTransformer.UndecryptableException.class, () -> t.decrypt(sealed, "Deleted"));
    byte[] altered = sealed.clone();
    altered[altered.length - 20] ^= 1;
    assertThrows(AesGcmTransformer.UndecryptableException.class, () -> t.decrypt(altered, "Created"));
    AesGcmTransformer impostor = ring(NEW.split(" ")[0] + " " + OLD.split(" ")[1]);
    var e = assertThrows(AesGcmTransformer.UndecryptableException.class, () -> impostor.decrypt(sealed, "Created"));
    assertTrue(e.getMessage().contains("does not decrypt"), e.getMessage());
  }

  @Test
  void badKeysAreRefusedWithTheirReason() {
    assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.parse("", "f"), "no key");
    assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.parse("k c2hvcnQ=\n", "f"), "16 bytes");
    assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.parse("k !!!\n", "f"), "not base64");
    assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.parse("a:b " + OLD.split(" ")[1], "f"));
    assertThrows(IllegalArgumentException.class, () -> EncryptionKeys.parse(OLD + OLD, "f"), "one name twice");
    assertFalse(EncryptionKeys.parse(OLD, "f").primary().toString().contains(OLD.split(" ")[1].trim()));
  }

  @Test
  void theKeyFileIsMadeOnceWithMode0600(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pki/secrets.key");
    EncryptionKeys made = EncryptionKeys.loadOrCreate(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(made.names(), EncryptionKeys.loadOrCreate(file).names(), "read again, not made again");
    assertTrue(made.primary().name().matches("key-[0-9a-f]{8}"), made.primary().name());
  }
}
