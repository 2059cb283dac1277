package io.troupe.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The objects of manifest files: multi-document YAML or JSON, a {@code List} expanded, a folder read in order. */
public final class Manifest {
  public static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .build())
      .build();

  private Manifest() {}

  /** One object read from {@code source} (a file name, or "-" for stdin). */
  public record Item(String source, ObjectNode object) {}

  /** The objects of each {@code -f} argument: a file, a folder (its .yaml, .yml and .json files) or "-". */
  public static List<Item> read(List<String> files, InputStream stdin) {
    List<Item> out = new ArrayList<>();
    for (String f : files) {
      if (f.equals("-")) {
        try {
          out.addAll(parse("STDIN", new String(stdin.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
          throw new CliException("error: reading STDIN: " + e.getMessage());
        }
        continue;
      }
      Path path = Path.of(f);
      if (!Files.exists(path)) {
        throw new CliException("error: the path \"" + f + "\" does not exist");
      }
      if (Files.isDirectory(path)) {
        try (Stream<Path> entries = Files.list(path)) {
          for (Path p : entries.filter(Manifest::isManifest).sorted().toList()) out.addAll(parse(p));
        } catch (IOException e) {
          throw new CliException("error: reading " + f + ": " + e.getMessage());
        }
      } else {
        out.addAll(parse(path));
      }
    }
    if (out.isEmpty()) throw new CliException("error: no objects passed to apply");
    return out;
  }

  private static boolean isManifest(Path p) {
    String n = p.getFileName().toString();
    return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
  }

  private static List<Item> parse(Path path) {
    try {
      return parse(path.toString(), Files.readString(path));
    } catch (IOException e) {
      throw new CliException("error: reading " + path + ": " + e.getMessage());
    }
  }

  /** The objects of one document stream (YAML is a superset of JSON: one parser reads both). */
  static List<Item> parse(String source, String text) {
    List<Item> out = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (docs.hasNextValue()) {
        JsonNode doc = docs.nextValue();
        if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) continue;
        if (!doc.isObject()) {
          throw new CliException("error: error parsing " + source + ": a manifest must be an object, got "
              + doc.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        ObjectNode object = (ObjectNode) doc;
        if (object.path("kind").asText().endsWith("List") && object.path("items").isArray()) {
          for (JsonNode item : object.path("items")) out.add(check(source, (ObjectNode) item));
        } else {
          out.add(check(source, object));
        }
      }
    } catch (JsonProcessingException e) {
      throw new CliException("error: error parsing " + source + ": error converting YAML to JSON: "
          + e.getOriginalMessage().lines().findFirst().orElse("") + location(e));
    } catch (IOException e) {
      throw new CliException("error: error parsing " + source + ": " + e.getMessage());
    } catch (RuntimeException e) {
      if (e instanceof CliException) throw e;
      throw new CliException("error: error parsing " + source + ": " + e.getMessage());
    }
    return out;
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
  }

  private static Item check(String source, ObjectNode o) {
    if (o.path("kind").asText().isEmpty()) {
      throw new CliException("error: error validating data: [kind not set]; in " + source);
    }
    if (o.path("apiVersion").asText().isEmpty()) {
      throw new CliException("error: error validating data: [apiVersion not set]; in " + source);
    }
    return new Item(source, o);
  }
}
