package io.troupe.node.image;

/**
 * A user name and password for one registry, from a {@code kubernetes.io/dockerconfigjson} Secret named in the
 * pod's {@code imagePullSecrets}.
 *
 * @param registry the host[:port] the credential is for ({@code localhost:5000}; {@code docker.io} for Docker Hub)
 */
public record RegistryCredential(String registry, String username, String password) {
  @Override
  public String toString() {
    return "RegistryCredential[registry=" + registry + ", username=" + username + "]";
  }
}
