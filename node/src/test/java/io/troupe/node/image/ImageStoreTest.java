package io.troupe.node.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image store with images imported from tarballs built by {@link TestImages}: what a node holds and runs. */
class ImageStoreTest {
  @TempDir Path dir;
  private ImageStore store;

  @BeforeEach
  void open() {
    TestImages.assumeBusybox();
    store = ImageStore.open(ImageStoreSettings.of(dir.resolve("images")));
  }

  @AfterEach
  void close() {
    if (store != null) store.close();
  }

  @Test
  void importsADockerSaveTarballAndRunsItsBusybox() throws Exception {
    List<ImageSummary> imported = get(store.importTarball(TestImages.dockerSaveTarball(dir, "busybox:latest")));

    assertEquals(1, imported.size());
    assertEquals(List.of("docker.io/library/busybox:latest"), imported.get(0).names());
    assertEquals(TestImages.busybox().id(), imported.get(0).id());
    assertTrue(imported.get(0).sizeBytes() >= Files.size(TestImages.BUSYBOX), "size " + imported.get(0).sizeBytes());
    Image image = get(store.ensure("busybox", PullPolicy.Never, List.of()));
    assertEquals("docker.io/library/busybox:latest", image.reference());
    assertEquals(List.of("sh"), image.config().cmd());
    assertTrue(image.config().env().contains(TestImages.PATH_ENV));
    assertEquals(1, image.layers().size());
    Path layer = image.layers().get(0);
    assertTrue(Files.isSymbolicLink(layer.resolve("bin/sh")));
    assertEquals(Path.of("busybox"), Files.readSymbolicLink(layer.resolve("bin/sh")));
    // the unpacked busybox is whole and runs
    Process echo = new ProcessBuilder(layer.resolve("bin/busybox").toString(), "echo", "hello from the layer")
        .redirectErrorStream(true).start();
    assertEquals("hello from the layer", new String(echo.getInputStream().readAllBytes()).trim());
    assertEquals(0, echo.waitFor());
    assertEquals(01777, (int) Files.getAttribute(layer.resolve("tmp"), "unix:mode") & 07777);
  }

  @Test
  void importsAnOciLayoutTarballUnderItsFullName() throws Exception {
    List<ImageSummary> imported = get(store.importTarball(
        TestImages.ociLayoutTarball(dir, "localhost:5000/tools/busybox:1.36")));

    assertEquals(List.of("localhost:5000/tools/busybox:1.36"), imported.get(0).names());
    Image image = get(store.ensure("localhost:5000/tools/busybox:1.36", PullPolicy.IfNotPresent, List.of()));
    assertEquals(TestImages.busybox().id(), image.id());
    assertTrue(Files.isRegularFile(image.layers().get(0).resolve("bin/busybox")));
    // the same image by docker-save: one image with both names, its layer unpacked once
    get(store.importTarball(TestImages.dockerSaveTarball(dir, "busybox:1.36")));
    List<ImageSummary> all = get(store.list());
    assertEquals(1, all.size());
    assertEquals(List.of("localhost:5000/tools/busybox:1.36", "docker.io/library/busybox:1.36"), all.get(0).names());
    assertEquals(1, count(dir.resolve("images/layers")));
  }

  @Test
  void neverPullsAndRefusesBadNames() {
    ImagePullException never = failure(store.ensure("busybox:1.0", PullPolicy.Never, List.of()));
    assertEquals("ErrImageNeverPull", never.reason());
    assertEquals("Container image \"busybox:1.0\" is not present with pull policy of Never", never.getMessage());
    ImagePullException invalid = failure(store.ensure("Not/An:image:", PullPolicy.IfNotPresent, List.of()));
    assertEquals("InvalidImageName", invalid.reason());
  }

  @Test
  void layersAreSharedUnpackedOnceAndRemovedWithTheirLastImage() throws Exception {
    TestImages.TestImage web = TestImages.busybox().withFile("/www/index.html", "hello").withCmd("httpd", "-f");
    Path webTar = dir.resolve("web.tar");
    web.writeDockerSave(webTar, "web:1");
    get(store.importTarball(TestImages.dockerSaveTarball(dir, "busybox:latest")));
    Path base = get(store.ensure("busybox", PullPolicy.Never, List.of())).layers().get(0);
    Object inode = Files.getAttribute(base, "unix:ino");

    assertEquals("ErrImageNeverPull", failure(store.ensure("web:1", PullPolicy.Never, List.of())).reason());
    List<ImageSummary> imported = get(store.importTarball(webTar));
    assertEquals(List.of("docker.io/library/web:1"), imported.get(0).names());
    Image webImage = get(store.ensure("web:1", PullPolicy.Never, List.of()));
    assertEquals(List.of("httpd", "-f"), webImage.config().cmd());
    assertEquals(base, webImage.layers().get(0), "the base layer is the busybox image's");
    assertEquals(inode, Files.getAttribute(base, "unix:ino"), "unpacked once");
    assertEquals("hello", Files.readString(webImage.layers().get(1).resolve("www/index.html")));
    assertEquals(2, count(dir.resolve("images/layers")));

    assertTrue(get(store.remove("web:1")));
    assertFalse(Files.exists(webImage.layers().get(1)), "the top layer went with its image");
    assertTrue(Files.isDirectory(base), "the base layer stays for busybox");
    assertFalse(get(store.remove("web:1")));
    assertTrue(get(store.remove(TestImages.busybox().id().substring(7, 19))), "by a short id");
    assertEquals(List.of(), get(store.list()));
    assertEquals(0, count(dir.resolve("images/layers")));
    assertEquals(0, count(dir.resolve("images/blobs/sha256")));
  }

  @Test
  void aRestartedStoreKnowsItsImages() throws Exception {
    get(store.importTarball(TestImages.dockerSaveTarball(dir, "busybox:latest")));
    List<ImageSummary> before = get(store.list());
    store.close();

    store = ImageStore.open(ImageStoreSettings.of(dir.resolve("images")));
    assertEquals(before, get(store.list()));
    Image image = get(store.ensure("docker.io/library/busybox", PullPolicy.Never, List.of()));
    assertTrue(Files.isRegularFile(image.layers().get(0).resolve("bin/busybox")));
  }

  @Test
  void aLayerThatIsNotWhatTheConfigSaysIsRefused() throws Exception {
    // a docker-save tarball whose config names the diff id of another layer
    TestImages.TestImage real = TestImages.busybox().withFile("/a", "a");
    TestImages.TestImage other = TestImages.busybox().withFile("/a", "b");
    TestImages.TestImage lying = new TestImages.TestImage(List.of(real.layers().get(0), new TestImages.Layer(
        other.layers().get(1).tar(), other.layers().get(1).gzip(), real.layers().get(1).diffId(),
        other.layers().get(1).digest())), List.of(), List.of("sh"), List.of(), "", "");
    Path tar = dir.resolve("lying.tar");
    lying.writeDockerSave(tar, "lying:1");

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> store.importTarball(tar).toCompletableFuture().get(1, TimeUnit.MINUTES));
    assertTrue(e.getCause().getMessage().contains("diff id mismatch"), e.getCause().getMessage());
    assertEquals(List.of(), get(store.list()));
    assertFalse(Files.exists(dir.resolve("images/layers").resolve(Blobs.hex(real.layers().get(1).diffId()))));
    assertEquals(0, count(dir.resolve("images/tmp")), "nothing half-unpacked is left");
  }

  @Test
  void whiteoutsBecomeOverlayWhiteoutsAsRoot() throws Exception {
    TestImages.TestImage image = TestImages.busybox().withFile("/etc/motd", "hi").withWhiteouts("/etc/motd", "bin/ps");
    Path tar = dir.resolve("wh.tar");
    image.writeDockerSave(tar, "wh:1");
    get(store.importTarball(tar));
    Path top = get(store.ensure("wh:1", PullPolicy.Never, List.of())).layers().get(2);

    if ("root".equals(System.getProperty("user.name"))) {
      Path ps = top.resolve("bin/ps");
      assertTrue(Files.readAttributes(ps, java.nio.file.attribute.BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS).isOther(), "a character device");
      assertEquals(0L, ((Number) Files.getAttribute(ps, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue());
      assertFalse(Files.exists(top.resolve("bin/.wh.ps"), LinkOption.NOFOLLOW_LINKS));
    } else {
      assertTrue(Files.exists(top.resolve("bin/.wh.ps")), "kept for a runtime that copies layers");
    }
  }

  /** The layer directories as an overlay's lower directories hide what the image's whiteouts delete. */
  @Test
  void layersMountedAsAnOverlayShowTheImagesFiles() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "mounting an overlay needs root");
    TestImages.TestImage image = TestImages.busybox()
        .withFiles(Map.of("/www/old.html", "old", "/etc/motd", "hi"))
        .withChanges(Map.of("/www/new.html", "new"), "/www/", "/etc/motd", "/bin/ps");
    Path tar = dir.resolve("overlay.tar");
    image.writeDockerSave(tar, "overlay:1");
    get(store.importTarball(tar));
    List<Path> layers = get(store.ensure("overlay:1", PullPolicy.Never, List.of())).layers();
    List<String> lower = new java.util.ArrayList<>();
    for (int i = layers.size() - 1; i >= 0; i--) lower.add(layers.get(i).toString());
    Path merged = Files.createDirectories(dir.resolve("merged"));
    Process mount = new ProcessBuilder("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + String.join(":", lower),
        merged.toString()).redirectErrorStream(true).start();
    String said = new String(mount.getInputStream().readAllBytes());
    org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "overlayfs cannot be mounted here: " + said);
    try {
      assertEquals("new", Files.readString(merged.resolve("www/new.html")));
      assertFalse(Files.exists(merged.resolve("www/old.html")), "an opaque directory hides the one below");
      assertFalse(Files.exists(merged.resolve("etc/motd"), LinkOption.NOFOLLOW_LINKS), "whited out");
      assertFalse(Files.exists(merged.resolve("bin/ps"), LinkOption.NOFOLLOW_LINKS), "whited out");
      assertTrue(Files.isSymbolicLink(merged.resolve("bin/sh")));
      assertTrue(Files.exists(merged.resolve("etc/passwd")));
    } finally {
      new ProcessBuilder("umount", merged.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void importsAGzippedTarball() throws Exception {
    Path plain = TestImages.dockerSaveTarball(dir, "zipped:1");
    Path zipped = dir.resolve("zipped.tar.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(zipped))) {
      Files.copy(plain, out);
    }
    assertEquals(List.of("docker.io/library/zipped:1"), get(store.importTarball(zipped)).get(0).names());
  }

  @Test
  void oneImportAtATimeOrTogetherUnpacksOnce() throws Exception {
    Path a = TestImages.dockerSaveTarball(dir, "a:1");
    Path b = TestImages.ociLayoutTarball(dir, "b:1");
    CompletableFuture<List<ImageSummary>> first = store.importTarball(a).toCompletableFuture();
    CompletableFuture<List<ImageSummary>> second = store.importTarball(b).toCompletableFuture();
    get(first);
    get(second);
    assertEquals(1, count(dir.resolve("images/layers")));
    assertEquals(List.of("docker.io/library/a:1", "docker.io/library/b:1"), get(store.list()).get(0).names().stream()
        .sorted().toList());
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(2, TimeUnit.MINUTES);
  }

  static ImagePullException failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stage.toCompletableFuture().get(2, TimeUnit.MINUTES));
    assertTrue(e.getCause() instanceof ImagePullException, String.valueOf(e.getCause()));
    return (ImagePullException) e.getCause();
  }

  static long count(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) return 0;
    try (Stream<Path> s = Files.list(directory)) {
      return s.count();
    }
  }
}
