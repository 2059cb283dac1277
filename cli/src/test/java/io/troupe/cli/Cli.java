package io.troupe.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code troupe} run in this JVM against one API server, with its stdout, stderr and exit code captured. */
final class Cli {
  private final String server;

  Cli(String server) {
    this.server = server;
  }

  record Result(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  Result run(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (server != null) all.addAll(List.of("--server", server));
    return runRaw(all.toArray(String[]::new));
  }

  static Result runRaw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Troupe.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
    return new Result(exit, out.toString(), err.toString());
  }
}
