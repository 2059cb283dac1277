package io.troupe.node.runtime.simulated;

import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import java.math.BigDecimal;
import java.util.Map;

/**
 * What a simulated container "does", read from its environment (so that a manifest says it, and its
 * {@code $(VAR)} and ConfigMap references work as for any variable):
 *
 * <table>
 *   <caption>The variables the simulated runtime reads</caption>
 *   <tr><td>{@value #EXIT_CODE}</td><td>the container exits with this code after its run time (default: it
 *       runs until stopped, or exits 0 when only a run time is given)</td></tr>
 *   <tr><td>{@value #RUN_SECONDS}</td><td>how long it runs before it exits (decimal seconds; default 0 when an
 *       exit code is given)</td></tr>
 *   <tr><td>{@value #STOP_SECONDS}</td><td>how long it takes to exit (with 0) after SIGTERM; beyond the grace
 *       period it is killed (137). Default 0</td></tr>
 *   <tr><td>{@value #EXEC_EXIT_CODE}</td><td>the exit code of every command run in it (exec probes). Default
 *       0</td></tr>
 * </table>
 *
 * <p>A Job's pod: {@code EXIT_CODE=0, RUN_SECONDS=30}; a crash loop: {@code EXIT_CODE=1, RUN_SECONDS=2}; a
 * failing exec liveness probe: {@code EXEC_EXIT_CODE=1}.
 *
 * @param runMillis how long it runs, or {@link #FOREVER}
 */
public record SimulatedProgram(long runMillis, int exitCode, long stopMillis, int execExitCode) {
  public static final String EXIT_CODE = "TROUPE_SIMULATED_EXIT_CODE";
  public static final String RUN_SECONDS = "TROUPE_SIMULATED_RUN_SECONDS";
  public static final String STOP_SECONDS = "TROUPE_SIMULATED_STOP_SECONDS";
  public static final String EXEC_EXIT_CODE = "TROUPE_SIMULATED_EXEC_EXIT_CODE";
  public static final long FOREVER = -1;

  /** A container that runs until it is stopped, stops at once and passes every exec: most containers. */
  public static final SimulatedProgram RUN_UNTIL_STOPPED = new SimulatedProgram(FOREVER, 0, 0, 0);

  /**
   * Reads the container's environment.
   *
   * @throws ContainerStartException {@code CreateContainerError} when a value is not a number
   */
  public static SimulatedProgram of(ContainerSpec container) {
    Map<String, String> env = container.env();
    if (!env.containsKey(EXIT_CODE) && !env.containsKey(RUN_SECONDS) && !env.containsKey(STOP_SECONDS)
        && !env.containsKey(EXEC_EXIT_CODE)) {
      return RUN_UNTIL_STOPPED;
    }
    boolean exits = env.containsKey(EXIT_CODE) || env.containsKey(RUN_SECONDS);
    return new SimulatedProgram(
        exits ? millis(env, RUN_SECONDS) : FOREVER,
        integer(env, EXIT_CODE),
        millis(env, STOP_SECONDS),
        integer(env, EXEC_EXIT_CODE));
  }

  public boolean exitsByItself() {
    return runMillis != FOREVER;
  }

  private static int integer(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null) return 0;
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw invalid(name, value, "an integer");
    }
  }

  private static long millis(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null) return 0;
    try {
      long millis = new BigDecimal(value.trim()).movePointRight(3).longValue();
      if (millis < 0) throw invalid(name, value, "zero or more seconds");
      return millis;
    } catch (NumberFormatException | ArithmeticException e) {
      throw invalid(name, value, "a number of seconds");
    }
  }

  private static ContainerStartException invalid(String name, String value, String expected) {
    return new ContainerStartException("CreateContainerError",
        "simulated runtime: " + name + "=" + value + " is not " + expected);
  }
}
