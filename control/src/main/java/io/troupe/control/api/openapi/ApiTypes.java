package io.troupe.control.api.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Kubernetes types Troupe serves, read from the hand-written description {@code types.yaml} beside this class:
 * one {@link Definition} per type, its fields with their types and strategic-merge-patch tags. The OpenAPI
 * documents are generated from it.
 */
public final class ApiTypes {
  static final Set<String> SCALARS =
      Set.of("string", "boolean", "int32", "int64", "number", "time", "byte", "quantity", "int-or-string", "object");

  /** A field's type. */
  public sealed interface FieldType {
    /** A JSON scalar or a free-form object, named as in {@link #SCALARS}. */
    record Scalar(String name) implements FieldType {}

    /** Another definition, by id. */
    record Ref(String id) implements FieldType {}

    record ListOf(FieldType item) implements FieldType {}

    /** An object with string keys and values of one type. */
    record MapOf(FieldType value) implements FieldType {}
  }

  /**
   * A field: {@code mergeKey} and {@code strategies} are Kubernetes' patchMergeKey and patchStrategy ("merge",
   * "retainKeys"); {@code set} marks a list of primitives merged as a set.
   */
  public record Field(String name, FieldType type, boolean required, String mergeKey, List<String> strategies,
      boolean set) {
    public Field {
      strategies = List.copyOf(strategies);
    }
  }

  /** A type: {@code kind} is present when it is a kind the API serves. */
  public record Definition(String id, String name, String description, List<Field> fields,
      Optional<ResourceType> kind) {
    public Definition {
      fields = List.copyOf(fields);
    }
  }

  private final Map<String, Definition> byId;

  private ApiTypes(Map<String, Definition> byId) {
    this.byId = Map.copyOf(byId);
  }

  private static final ApiTypes BUILT_IN = read("types.yaml");

  /** The description shipped with Troupe. */
  public static ApiTypes builtIn() {
    return BUILT_IN;
  }

  public Map<String, Definition> definitions() {
    return byId;
  }

  public Optional<Definition> definition(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The definition of a kind the API serves. */
  public Optional<Definition> of(ResourceType type) {
    return byId.values().stream().filter(d -> d.kind().filter(type::equals).isPresent()).findFirst();
  }

  static ApiTypes read(String resource) {
    JsonNode root;
    try (InputStream in = ApiTypes.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("no " + resource + " beside " + ApiTypes.class.getName());
      root = new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
    // names first, so that a field may name a type defined further down
    Map<String, String> packageOf = new LinkedHashMap<>();
    root.path("definitions").properties().forEach(pkg ->
        pkg.getValue().properties().forEach(type -> {
          String previous = packageOf.putIfAbsent(pkg.getKey() + "." + type.getKey(), pkg.getKey());
          if (previous != null) throw new IllegalStateException("type defined twice: " + type.getKey());
        }));
    Map<String, Definition> byId = new LinkedHashMap<>();
    root.path("definitions").properties().forEach(pkg -> {
      JsonNode gv = root.path("packages").path(pkg.getKey());
      pkg.getValue().properties().forEach(type -> {
        String name = type.getKey();
        List<Field> fields = new ArrayList<>();
        type.getValue().properties().forEach(f -> {
          if (!f.getKey().startsWith("@")) fields.add(field(f.getKey(), f.getValue().asText(), pkg.getKey(), packageOf));
        });
        Optional<ResourceType> kind = gv.isObject()
            ? ResourceTypes.ALL.stream().filter(t -> t.group().equals(gv.path("group").asText())
                && t.version().equals(gv.path("version").asText()) && t.kind().equals(name)).findFirst()
            : Optional.empty();
        String id = pkg.getKey() + "." + name;
        byId.put(id, new Definition(id, name, type.getValue().path("@description").asText(""), fields, kind));
      });
    });
    return new ApiTypes(byId);
  }

  /** {@code name: TYPE [FLAG...]}, as the description's header explains. */
  private static Field field(String name, String spec, String pkg, Map<String, String> packageOf) {
    List<String> words = Arrays.asList(spec.trim().split("\\s+"));
    FieldType type = type(words.get(0), pkg, packageOf, name);
    boolean required = false;
    boolean set = false;
    String mergeKey = null;
    List<String> strategies = new ArrayList<>();
    for (String flag : words.subList(1, words.size())) {
      if (flag.equals("required")) {
        required = true;
      } else if (flag.equals("set")) {
        set = true;
        strategies.add("merge");
      } else if (flag.equals("retainKeys")) {
        strategies.add("retainKeys");
      } else if (flag.startsWith("merge=")) {
        mergeKey = flag.substring("merge=".length());
        strategies.add(0, "merge");
      } else {
        throw new IllegalStateException("field " + name + ": unknown flag " + flag);
      }
    }
    return new Field(name, type, required, mergeKey, strategies, set);
  }

  private static FieldType type(String word, String pkg, Map<String, String> packageOf, String field) {
    if (word.startsWith("[]")) return new FieldType.ListOf(type(word.substring(2), pkg, packageOf, field));
    if (word.startsWith("map[") && word.endsWith("]")) {
      return new FieldType.MapOf(type(word.substring(4, word.length() - 1), pkg, packageOf, field));
    }
    if (SCALARS.contains(word)) return new FieldType.Scalar(word);
    // the same package first, then the others in the order they are written
    if (packageOf.containsKey(pkg + "." + word)) return new FieldType.Ref(pkg + "." + word);
    return packageOf.keySet().stream().filter(id -> id.endsWith("." + word)).findFirst()
        .<FieldType>map(FieldType.Ref::new)
        .orElseThrow(() -> new IllegalStateException("field " + field + ": no type " + word));
  }
}
