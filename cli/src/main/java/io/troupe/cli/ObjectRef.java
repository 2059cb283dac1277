package io.troupe.cli;

import io.troupe.cli.client.CliException;
import io.troupe.cli.client.Kinds;
import io.troupe.persistence.model.ResourceType;
import java.util.ArrayList;
import java.util.List;

/** The objects a command names: {@code KIND NAME...} or {@code KIND/NAME...}. */
public record ObjectRef(ResourceType type, String name) {

  public static List<ObjectRef> parse(List<String> args) {
    List<ObjectRef> out = new ArrayList<>();
    if (args.isEmpty()) throw new CliException("error: you must specify the type of resource and a name");
    if (args.get(0).contains("/")) {
      for (String a : args) {
        int slash = a.indexOf('/');
        if (slash <= 0) throw new CliException("error: there is no need to specify a resource type as a separate "
            + "argument when passing arguments in resource/name form (e.g. 'troupe get resource/<resource_name>' "
            + "instead of 'troupe get resource resource/<resource_name>'");
        out.add(new ObjectRef(Kinds.resolve(a.substring(0, slash)), a.substring(slash + 1)));
      }
      return out;
    }
    ResourceType type = Kinds.resolve(args.get(0));
    if (args.size() == 1) throw new CliException("error: resource(s) were provided, but no name was specified");
    for (String name : args.subList(1, args.size())) out.add(new ObjectRef(type, name));
    return out;
  }

  public String path(String namespace) {
    return Kinds.path(type, type.namespaced() ? namespace : null, name);
  }

  /** {@code deployment.apps/web}, as kubectl prints an object it acted on. */
  @Override
  public String toString() {
    return Kinds.display(type) + "/" + name;
  }
}
