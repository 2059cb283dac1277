package io.troupe.node.runtime.process;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * The defaults an image gives its containers, read from {@code <image>/image.json}; the fields of an OCI
 * image's {@code config} that make sense without a root filesystem. Kubernetes rules: a container's
 * {@code command} replaces {@code entrypoint}, its {@code args} replace {@code cmd}.
 *
 * @param workingDir relative to the image's folder, or absolute on the host
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ImageConfig(List<String> entrypoint, List<String> cmd, String workingDir, Map<String, String> env) {
  static final ImageConfig EMPTY = new ImageConfig(List.of(), List.of(), null, Map.of());

  ImageConfig {
    entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
    cmd = cmd == null ? List.of() : List.copyOf(cmd);
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  /** The command line of a container: Kubernetes' merge of the container's command and args with these. */
  List<String> commandLine(List<String> command, List<String> args) {
    List<String> head = command.isEmpty() ? entrypoint : command;
    List<String> tail = !args.isEmpty() || !command.isEmpty() ? args : cmd;
    return java.util.stream.Stream.concat(head.stream(), tail.stream()).toList();
  }
}
