package io.troupe.cli;

import io.troupe.cli.client.CliException;
import io.troupe.cli.client.Kinds;
import io.troupe.cli.client.Manifest;
import io.troupe.persistence.model.ResourceType;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code troupe delete -f FILE} or {@code troupe delete KIND NAME...}: {@code pod "x" deleted}. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete resources by file names or by names.")
public final class DeleteCommand extends ClientCommand {
  @Option(names = {"-f", "--filename"}, description = "Files, folders or - (stdin).")
  List<String> files;

  @Parameters(paramLabel = "KIND NAME", arity = "0..*")
  List<String> args = new ArrayList<>();

  @Option(names = "--ignore-not-found", description = "Treat \"resource not found\" as a successful delete.")
  boolean ignoreNotFound;

  @Override
  public Integer call() {
    List<String[]> targets = new ArrayList<>(); // type display, namespace, name, path
    if (files != null) {
      for (Manifest.Item item : Manifest.read(files, System.in)) {
        var o = item.object();
        ResourceType type = Kinds.ofManifest(o.path("apiVersion").asText(), o.path("kind").asText());
        String ns = type.namespaced() ? o.path("metadata").path("namespace").asText(namespace()) : null;
        String name = o.path("metadata").path("name").asText();
        targets.add(new String[] {type.plural(), Kinds.display(type), name, Kinds.path(type, ns, name)});
      }
    } else {
      if (args.isEmpty()) throw new CliException("error: You must provide one or more resources by argument or "
          + "filename.");
      for (ObjectRef ref : ObjectRef.parse(args)) {
        targets.add(new String[] {ref.type().plural(), Kinds.display(ref.type()), ref.name(), ref.path(namespace())});
      }
    }
    CliException failure = null;
    for (String[] t : targets) {
      try {
        client().delete(t[3]);
        out().println(t[1] + " \"" + t[2] + "\" deleted");
      } catch (io.troupe.cli.client.ApiError e) {
        if (e.notFound() && ignoreNotFound) continue;
        err().println(e.getMessage());
        failure = e;
      }
    }
    out().flush();
    err().flush();
    return failure == null ? 0 : 1;
  }
}
