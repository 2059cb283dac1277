package io.troupe.bench.jmh;

import io.troupe.persistence.selector.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A label selector against the labels of 1,000 pods (five labels each, {@link Manifests#pod}), as a list or a
 * watch with {@code ?labelSelector=} filters the cache and as a ReplicaSet counts its pods: the time for all 1,000.
 * {@code equality}: {@code app=web,tier=frontend}; {@code setBased}: {@code app in (web,api),tier notin
 * (backend),version} (in, notin, exists); {@code parse*}: reading the selector from its query-string form, once
 * per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LabelSelectorBench {
  static final int PODS = 1_000;
  static final String EQUALITY = "app=web,tier=frontend";
  static final String SET_BASED = "app in (web,api),tier notin (backend),version";

  private List<Map<String, String>> labels;
  private LabelSelector equality;
  private LabelSelector setBased;

  @Setup(Level.Trial)
  public void setUp() {
    labels = new ArrayList<>(PODS);
    for (int i = 0; i < PODS; i++) labels.add(Manifests.pod(i).metadata().labels());
    equality = LabelSelector.parse(EQUALITY);
    setBased = LabelSelector.parse(SET_BASED);
    if (count(equality) == 0 || count(setBased) == 0 || count(equality) == PODS || count(setBased) == PODS) {
      throw new IllegalStateException("a selector should match some of the pods, not none or all");
    }
  }

  @Benchmark
  public int equality() {
    return count(equality);
  }

  @Benchmark
  public int setBased() {
    return count(setBased);
  }

  @Benchmark
  public LabelSelector parseEquality() {
    return LabelSelector.parse(EQUALITY);
  }

  @Benchmark
  public LabelSelector parseSetBased() {
    return LabelSelector.parse(SET_BASED);
  }

  private int count(LabelSelector selector) {
    int matched = 0;
    for (int i = 0; i < labels.size(); i++) {
      if (selector.matches(labels.get(i))) matched++;
    }
    return matched;
  }
}
