package io.troupe.node.image;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A node's images, in the shape of CRI's image service: images imported from tarballs ({@code docker save} and OCI
 * image layouts) or pulled from an OCI distribution registry, their layers verified by digest, unpacked once and
 * shared between images. Every call returns at once; the work runs on the service's own threads.
 */
public interface ImageService extends AutoCloseable {

  /**
   * The image {@code reference} names, ready to run: pulled first when {@code policy} says so ({@link PullPolicy}).
   * Fails with {@link ImagePullException}.
   *
   * @param credentials what the pod's {@code imagePullSecrets} give, tried for the registry they name
   */
  CompletionStage<Image> ensure(String reference, PullPolicy policy, List<RegistryCredential> credentials);

  /** Imports every image of a tarball ({@code docker save} or OCI layout); the images it held. */
  CompletionStage<List<ImageSummary>> importTarball(Path tarball);

  /** The images this node holds. */
  CompletionStage<List<ImageSummary>> list();

  /**
   * Removes the name {@code reference} (name:tag, or an id/digest for every name of that image); an image left
   * without names is deleted with the layers no other image uses. Completes with false when nothing had that name.
   */
  CompletionStage<Boolean> remove(String reference);

  @Override
  void close();
}
