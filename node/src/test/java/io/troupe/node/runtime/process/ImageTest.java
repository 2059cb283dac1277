package io.troupe.node.runtime.process;

import static io.troupe.node.runtime.process.RuntimeFixture.await;
import static io.troupe.node.runtime.process.RuntimeFixture.exit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images as folders and tarballs in the image dir. */
class ImageTest {
  @TempDir
  Path dir;
  RuntimeFixture fixture;
  ProcessRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    fixture = new RuntimeFixture(dir);
    runtime = fixture.runtime();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void referencesKeepTheirLastSegmentWithoutTagOrDigest() {
    assertEquals("web", Images.localName("registry.example:5000/team/web:1.2"));
    assertEquals("web", Images.localName("web@sha256:0123"));
    assertEquals("busybox", Images.localName("docker.io/library/busybox"));
    assertEquals("host", Images.localName("host"));
  }

  @Test
  void aScriptInTheImagesBinRunsByNameInTheImagesFolder() throws Exception {
    Path image = greeter(fixture.imageDir.resolve("greeter"));

    RunningContainer c = await(runtime.startContainer(fixture.pod("hi"),
        RuntimeFixture.spec("main", "example.com/greeter:latest", "greet", "world"), 0));

    assertEquals(0, exit(c).exitCode());
    assertTrue(RuntimeFixture.read(fixture.log(runtime, c)).endsWith(" hello world from " + image + " in " + image
        + "\n"), RuntimeFixture.read(fixture.log(runtime, c)));
  }

  @Test
  void theImageConfigGivesDefaultsThatTheContainerOverrides() throws Exception {
    Path image = greeter(fixture.imageDir.resolve("greeter"));
    Files.createDirectories(image.resolve("data"));
    Files.writeString(image.resolve("image.json"), "{\"entrypoint\":[\"greet\"],\"cmd\":[\"everyone\"],"
        + "\"workingDir\":\"data\",\"env\":{\"PUNCT\":\"!\"},\"author\":\"ignored\"}");

    RunningContainer defaults = await(runtime.startContainer(fixture.pod("a"), spec(List.of(), List.of()), 0));
    RunningContainer args = await(runtime.startContainer(fixture.pod("b"), spec(List.of(), List.of("you")), 0));
    RunningContainer command = await(runtime.startContainer(fixture.pod("c"),
        spec(List.of("sh", "-c", "echo \"$0$PUNCT\""), List.of()), 0));

    for (RunningContainer c : List.of(defaults, args, command)) {
      assertEquals(0, exit(c).exitCode());
    }
    assertTrue(RuntimeFixture.read(fixture.log(runtime, defaults)).endsWith(" hello everyone! from " + image
        + " in " + image.resolve("data") + "\n"), RuntimeFixture.read(fixture.log(runtime, defaults)));
    assertTrue(RuntimeFixture.read(fixture.log(runtime, args)).contains(" hello you! from "));
    assertTrue(RuntimeFixture.read(fixture.log(runtime, command)).endsWith(" sh!\n"));
  }

  @Test
  void aTarballIsUnpackedOnce() throws Exception {
    Path source = greeter(dir.resolve("build/greeter"));
    Process tar = new ProcessBuilder("tar", "-czf", fixture.imageDir.resolve("greeter.tar.gz").toString(), "-C",
        source.toString(), ".").inheritIO().start();
    assertEquals(0, tar.waitFor());

    RunningContainer first = await(runtime.startContainer(fixture.pod("one"),
        RuntimeFixture.spec("main", "greeter:1", "greet", "one"), 0));
    assertEquals(0, exit(first).exitCode());
    Path unpacked = onlyUnpackedImage();
    Files.writeString(unpacked.resolve("marker"), "still here");
    RunningContainer second = await(runtime.startContainer(fixture.pod("two"),
        RuntimeFixture.spec("main", "greeter:1", "sh", "-c", "cat marker"), 0));

    assertEquals(0, exit(second).exitCode());
    assertEquals(unpacked, onlyUnpackedImage());
    assertTrue(RuntimeFixture.read(fixture.log(runtime, first)).contains(" hello one from " + unpacked));
    assertTrue(RuntimeFixture.read(fixture.log(runtime, second)).endsWith(" still here\n"));
  }

  private Path onlyUnpackedImage() throws Exception {
    try (Stream<Path> images = Files.list(fixture.stateDir.resolve("images"))) {
      List<Path> all = images.toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }

  private static ContainerSpec spec(List<String> command, List<String> args) {
    return new ContainerSpec("main", "greeter", command, args, null, Map.of(), 0);
  }

  private static Path greeter(Path image) throws Exception {
    Path bin = Files.createDirectories(image.resolve("bin"));
    Files.writeString(bin.resolve("greet"), "#!/bin/sh\necho \"hello $1$PUNCT from $TROUPE_IMAGE_ROOT in $(pwd)\"\n");
    Files.setPosixFilePermissions(bin.resolve("greet"), PosixFilePermissions.fromString("rwxr-xr-x"));
    return image;
  }
}
