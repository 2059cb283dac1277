package io.troupe.node.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** References normalized as Docker and the kubelet do. */
class ImageReferenceTest {
  private static final String D = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

  @ParameterizedTest
  @CsvSource({
      "busybox, docker.io/library/busybox:latest",
      "busybox:1.36, docker.io/library/busybox:1.36",
      "library/busybox, docker.io/library/busybox:latest",
      "team/app:v1, docker.io/team/app:v1",
      "docker.io/busybox, docker.io/library/busybox:latest",
      "index.docker.io/library/busybox:1, docker.io/library/busybox:1",
      "localhost:5000/x:1, localhost:5000/x:1",
      "localhost/x, localhost/x:latest",
      "127.0.0.1:5000/a/b/c, 127.0.0.1:5000/a/b/c:latest",
      "registry.example.com/web, registry.example.com/web:latest",
      "busybox@" + D + ", docker.io/library/busybox@" + D,
      "busybox:1@" + D + ", docker.io/library/busybox@" + D,
  })
  void normalizes(String reference, String name) {
    assertEquals(name, ImageReference.parse(reference).name());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " busybox", "Busybox", "busybox:", "busybox@sha256:abc", "a//b", "x/Y:1", "bad tag:1",
      "busybox:-x"})
  void refusesWhatIsNotAReference(String reference) {
    ImagePullException e = assertThrows(ImagePullException.class, () -> ImageReference.parse(reference));
    assertEquals("InvalidImageName", e.reason());
  }
}
