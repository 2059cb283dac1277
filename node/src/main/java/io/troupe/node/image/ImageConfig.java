package io.troupe.node.image;

import java.util.List;

/**
 * The defaults of an image's config ({@code config} of the OCI image configuration).
 *
 * @param env {@code NAME=value} entries
 * @param workingDir empty for {@code /}
 * @param user empty for root; {@code uid}, {@code uid:gid} or a name
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
    String user) {
  public ImageConfig {
    entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
    cmd = cmd == null ? List.of() : List.copyOf(cmd);
    env = env == null ? List.of() : List.copyOf(env);
    workingDir = workingDir == null ? "" : workingDir;
    user = user == null ? "" : user;
  }
}
