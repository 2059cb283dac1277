package io.troupe.persistence.serialization;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import java.util.List;

/**
 * A class resolver that lets one registration stand for a whole family of classes.
 *
 * <p>Why: an ActorRef field holds a Pekko-internal class (ActorRefAdapter, LocalActorRef,
 * RepointableActorRef, RemoteActorRef, PromiseActorRef, FunctionRef, ...), and a JsonNode field one
 * of a dozen Jackson node classes. The serializers for these write a path or a tagged tree that does
 * not depend on the concrete class, so registering each concrete class would only tie the wire ids
 * to library internals that change between versions. Instead the family root (typed ActorRef,
 * classic ActorRef, JsonNode) is registered once, with a fixed id, and every subclass resolves to
 * that registration. Every other class still needs its own registration.
 *
 * <p>It also refuses class names on the wire. Kryo accepts a class name in place of an id even
 * when registration is required (it then fails only after loading the class); a peer that sends a
 * name is either misconfigured or hostile, so it fails before any class is loaded.
 */
final class FamilyClassResolver extends DefaultClassResolver {

  private final List<Class<?>> familyRoots;

  /** Roots are tried in order; the first one the class is assignable to wins. */
  FamilyClassResolver(List<Class<?>> familyRoots) {
    this.familyRoots = List.copyOf(familyRoots);
  }

  @Override
  @SuppressWarnings("rawtypes") // the overridden Kryo signature is raw
  public Registration getRegistration(Class type) {
    Registration exact = super.getRegistration(type);
    if (exact != null) {
      return exact;
    }
    for (Class<?> root : familyRoots) {
      if (root.isAssignableFrom(type)) {
        return super.getRegistration(root);
      }
    }
    return null;
  }

  @Override
  protected Registration readName(Input input) {
    throw new KryoException("A class name was sent instead of a registered class id; the sender"
        + " does not require registration, so it is not a Troupe KryoSerializer");
  }
}
