package io.troupe.persistence.encryption;

import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.RecentEvents;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonJsonSerializer;

/**
 * The journal's and snapshot store's serializer of {@link ResourceEntity} events and states: Pekko's Jackson JSON
 * (the same bytes and manifest as {@code jackson-json}, which wrote the journal before), and for a Secret the whole
 * value encrypted ({@link AesGcmTransformer}), as Kubernetes' EncryptionConfiguration encrypts a whole stored
 * object rather than its {@code data}: metadata holds secrets too (kubectl apply copies the object, data included,
 * into its last-applied-configuration annotation). The object's key stays readable in the row's
 * {@code persistence_id}, as it does in etcd's key.
 *
 * <p>Every reader of the journal comes through here (an entity's recovery, the watch cache's feed, an object's
 * history), so all of them see plaintext; a value written before (plaintext, by {@code jackson-json} or by this
 * serializer) reads as it is.
 */
public final class EncryptedJournalSerializer extends SerializerWithStringManifest {
  public static final int IDENTIFIER = 7_417_002;

  private final ExtendedActorSystem system;
  private final JacksonJsonSerializer json;

  /** Where the events serialized here wait for this JVM's journal feed, which then need not read them again. */
  private final RecentEvents recent;

  public EncryptedJournalSerializer(ExtendedActorSystem system) {
    this.system = system;
    this.json = new JacksonJsonSerializer(system, "jackson-json");
    this.recent = RecentEvents.get(Adapter.toTyped(system));
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return json.manifest(o);
  }

  @Override
  public byte[] toBinary(Object o) {
    byte[] plain = json.toBinary(o);
    byte[] bytes = isSecret(o) ? transformer().encrypt(plain, manifest(o)) : plain;
    if (o instanceof ResourceEntity.Event) recent.offer(bytes, o);
    return bytes;
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    byte[] plain = AesGcmTransformer.isEncrypted(bytes) ? transformer().decrypt(bytes, manifest) : bytes;
    return json.fromBinary(plain, manifest);
  }

  private AesGcmTransformer transformer() {
    return SecretEncryption.get(system).transformer();
  }

  static boolean isSecret(Object o) {
    KubeObject object = null;
    if (o instanceof ResourceEntity.Event e) object = e.object();
    else if (o instanceof ResourceEntity.Active a) object = a.object();
    return object != null && "Secret".equals(object.kind());
  }
}
