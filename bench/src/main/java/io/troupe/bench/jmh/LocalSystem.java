package io.troupe.bench.jmh;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** An actor system of one JVM with the project's configuration (reference.conf of every module), quiet logging. */
final class LocalSystem {
  private LocalSystem() {}

  static ActorSystem<Void> start(String name) {
    return ActorSystem.create(Behaviors.empty(), name, ConfigFactory.parseString("""
        pekko.actor.provider = local
        pekko.loglevel = WARNING
        pekko.stdout-loglevel = WARNING
        """).withFallback(ConfigFactory.load()));
  }
}
