package io.troupe.cli.get;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A server-side Table printed as kubectl prints it: column names upper-cased, priority-1 columns only with
 * {@code -o wide}, each column but the last padded to its widest cell plus three spaces (Go's tabwriter with
 * kubectl's settings: minimum width 6, padding 3).
 */
public final class TableText {
  private TableText() {}

  public record Options(boolean wide, boolean headers, boolean namespaceColumn) {}

  public static List<List<String>> lines(JsonNode table, Options options) {
    List<Integer> shown = new ArrayList<>();
    List<String> header = new ArrayList<>();
    if (options.namespaceColumn()) header.add("NAMESPACE");
    JsonNode columns = table.path("columnDefinitions");
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).path("priority").asInt() == 0 || options.wide()) {
        shown.add(i);
        header.add(columns.get(i).path("name").asText().toUpperCase(Locale.ROOT));
      }
    }
    List<List<String>> lines = new ArrayList<>();
    if (options.headers()) lines.add(header);
    for (JsonNode row : table.path("rows")) {
      List<String> line = new ArrayList<>();
      if (options.namespaceColumn()) line.add(row.path("object").path("metadata").path("namespace").asText());
      for (int i : shown) {
        JsonNode cell = row.path("cells").path(i);
        line.add(cell.isNull() || cell.isMissingNode() ? "<none>" : cell.asText());
      }
      lines.add(line);
    }
    return lines;
  }

  public static void print(List<List<String>> lines, PrintWriter out) {
    int columns = lines.stream().mapToInt(List::size).max().orElse(0);
    int[] widths = new int[columns];
    for (List<String> line : lines) {
      for (int i = 0; i < line.size() - 1; i++) widths[i] = Math.max(widths[i], Math.max(6, line.get(i).length() + 3));
    }
    for (List<String> line : lines) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < line.size(); i++) {
        String cell = line.get(i);
        b.append(cell);
        if (i < line.size() - 1) b.append(" ".repeat(widths[i] - cell.length()));
      }
      out.println(b.toString().stripTrailing());
    }
    out.flush();
  }
}
