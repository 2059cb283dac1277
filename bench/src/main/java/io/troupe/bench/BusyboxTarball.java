package io.troupe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A one-layer busybox image as a {@code docker save} tarball, built from the host's static busybox (Debian's
 * {@code busybox-static}), so that the oci runtime's benchmark downloads nothing: {@code /bin/busybox} with
 * {@code sh} and {@code sleep} linked to it.
 */
final class BusyboxTarball {
  static final Path BUSYBOX = Path.of("/usr/bin/busybox");
  private static final ObjectMapper JSON = new ObjectMapper();

  private BusyboxTarball() {}

  static void write(Path file, String reference) throws IOException {
    byte[] layer = tar(out -> {
      directory(out, "bin/");
      byte[] busybox = Files.readAllBytes(BUSYBOX);
      TarArchiveEntry e = new TarArchiveEntry("bin/busybox");
      e.setMode(0100755);
      e.setSize(busybox.length);
      out.putArchiveEntry(e);
      out.write(busybox);
      out.closeArchiveEntry();
      for (String applet : new String[] {"sh", "sleep"}) {
        TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("busybox");
        out.putArchiveEntry(link);
        out.closeArchiveEntry();
      }
      for (String dir : new String[] {"tmp/", "proc/", "sys/", "dev/", "etc/"}) directory(out, dir);
    });
    String diffId = "sha256:" + sha256(layer);
    ObjectNode config = JSON.createObjectNode();
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    config.put("architecture", arch.equals("x86_64") ? "amd64" : arch.equals("aarch64") ? "arm64" : arch);
    config.put("os", "linux");
    config.putObject("config").putArray("Cmd").add("sh");
    ((ObjectNode) config.get("config")).putArray("Env").add("PATH=/bin");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(diffId);
    byte[] configBytes = JSON.writeValueAsBytes(config);
    String configName = sha256(configBytes) + ".json";
    String layerName = diffId.substring(7) + "/layer.tar";
    ArrayNode manifest = JSON.createArrayNode();
    ObjectNode image = manifest.addObject();
    image.put("Config", configName);
    image.putArray("RepoTags").add(reference);
    image.putArray("Layers").add(layerName);
    byte[] tarball = tar(out -> {
      file(out, configName, configBytes);
      directory(out, diffId.substring(7) + "/");
      file(out, layerName, layer);
      file(out, "manifest.json", JSON.writeValueAsBytes(manifest));
    });
    Files.write(file, tarball);
  }

  private interface Entries {
    void write(TarArchiveOutputStream out) throws IOException;
  }

  private static byte[] tar(Entries entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      entries.write(out);
    }
    return bytes.toByteArray();
  }

  private static void directory(TarArchiveOutputStream out, String name) throws IOException {
    TarArchiveEntry d = new TarArchiveEntry(name, TarArchiveEntry.LF_DIR);
    d.setMode(040755);
    out.putArchiveEntry(d);
    out.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream out, String name, byte[] content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100644);
    e.setSize(content.length);
    out.putArchiveEntry(e);
    out.write(content);
    out.closeArchiveEntry();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
