package io.troupe.persistence.encryption;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys Secrets are encrypted with in the journal, as Kubernetes' EncryptionConfiguration lists the keys
 * of its {@code aesgcm} provider: the first encrypts every new write, all of them decrypt (so a key can rotate). From
 * {@code troupe.secrets.encryption.keys} when set, else from the key file ({@code key-file}, by default
 * {@code <data-dir>/pki/secrets.key}), made at the first start with one new key (mode 0600).
 *
 * <p>The key file has one key a line, {@code <name> <base64 of 32 bytes>} (lines starting with {@code #} are
 * comments); a made key is named {@code key-} and 8 hex digits of the SHA-256 of the key, so a file made again after
 * a loss has another name, and a journal written with the lost one says which key it needs.
 */
public record EncryptionKeys(List<Key> keys, String source) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int KEY_BYTES = 32;

  /** One named key. Its {@code toString} leaves the key out. */
  public record Key(String name, SecretKey secret) {
    public Key {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("the encryption key name \"" + name + "\" must be 1-64 of A-Z a-z 0-9 . _ -");
      }
      if (secret.getEncoded().length != KEY_BYTES) {
        throw new IllegalArgumentException("the encryption key \"" + name + "\" must be 32 bytes (AES-256), not "
            + secret.getEncoded().length);
      }
    }

    static Key of(String name, String base64) {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(base64.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the encryption key \"" + name + "\" is not base64");
      }
      return new Key(name, new SecretKeySpec(bytes, "AES"));
    }

    @Override
    public String toString() {
      return "Key[" + name + "]";
    }
  }

  public EncryptionKeys {
    keys = List.copyOf(keys);
    if (keys.isEmpty()) throw new IllegalArgumentException("no encryption key in " + source);
    if (keys.stream().map(Key::name).distinct().count() != keys.size()) {
      throw new IllegalArgumentException("two encryption keys of one name in " + source);
    }
  }

  /** The keys of {@code troupe.secrets.encryption}: the listed ones, or the key file's (made when it is absent). */
  public static EncryptionKeys of(Config config) {
    Config c = config.getConfig("troupe.secrets.encryption");
    List<? extends Config> listed = c.getConfigList("keys");
    if (!listed.isEmpty()) {
      List<Key> keys = new ArrayList<>();
      for (Config k : listed) keys.add(Key.of(k.getString("name"), k.getString("secret")));
      return new EncryptionKeys(keys, "troupe.secrets.encryption.keys");
    }
    return loadOrCreate(keyFile(config));
  }

  /** Where the key file is: {@code key-file} relative to the data directory, by default {@code pki/secrets.key}. */
  public static Path keyFile(Config config) {
    Path dataDir = Path.of(config.hasPath("troupe.data-dir") ? config.getString("troupe.data-dir") : "data")
        .toAbsolutePath().normalize();
    String file = config.getString("troupe.secrets.encryption.key-file");
    return file.isBlank() ? dataDir.resolve("pki").resolve("secrets.key") : dataDir.resolve(file).normalize();
  }

  /** The keys in {@code file}, made there first (one new key) if it does not exist. */
  public static EncryptionKeys loadOrCreate(Path file) {
    try {
      if (!Files.exists(file)) create(file);
      return parse(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the Secret encryption key file " + file, e);
    }
  }

  /** The keys of a key file's text. */
  public static EncryptionKeys parse(String text, String source) {
    List<Key> keys = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.trim();
      if (l.isEmpty() || l.startsWith("#")) continue;
      String[] parts = l.split("\\s+");
      if (parts.length != 2) {
        throw new IllegalArgumentException(source + ": each line must be \"<name> <base64 of 32 bytes>\"");
      }
      try {
        keys.add(Key.of(parts[0], parts[1]));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": " + e.getMessage());
      }
    }
    return new EncryptionKeys(keys, source);
  }

  /** A new key's line: its name and its base64. */
  public static String newKeyLine() {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key);
      return "key-" + HexFormat.of().formatHex(hash, 0, 4) + " " + Base64.getEncoder().encodeToString(key) + "\n";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key that encrypts. */
  public Key primary() {
    return keys.get(0);
  }

  /** The key of this name, or null. */
  public Key named(String name) {
    for (Key k : keys) if (k.name().equals(name)) return k;
    return null;
  }

  public List<String> names() {
    return keys.stream().map(Key::name).toList();
  }

  /** Written to a temporary file and linked into place, so that two JVMs starting at once agree on one key. */
  private static void create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, ".secrets-key", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, "# Troupe's Secret encryption keys (AES-256-GCM): \"<name> <base64>\" a line; the first "
          + "encrypts, all decrypt\n" + newKeyLine(), StandardCharsets.US_ASCII);
      try {
        Files.createLink(file, temp); // fails when the file exists: the first JVM's key wins
      } catch (FileAlreadyExistsException e) {
        // another JVM made it first
      } catch (UnsupportedOperationException | AtomicMoveNotSupportedException e) {
        if (!Files.exists(file)) Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
