package io.troupe.control.controller.serviceaccount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The default account is made where it is missing, and nowhere else. */
class ServiceAccountsReconcilerTest {
  private static KubeObject namespace(boolean deleting) {
    ObjectMeta meta = ObjectMeta.named(null, "dev");
    if (deleting) meta = meta.withDeletion("2026-12-05T10:00:00Z", 0L);
    return new KubeObject("v1", "Namespace", meta, Json.object());
  }

  private static KubeObject account(boolean deleting) {
    ObjectMeta meta = ObjectMeta.named("dev", "default");
    if (deleting) meta = meta.withDeletion("2026-12-05T10:00:00Z", 0L);
    return new KubeObject("v1", "ServiceAccount", meta, Json.object());
  }

  @Test
  void table() {
    record Case(Optional<KubeObject> namespace, Optional<KubeObject> account, int creates) {}
    List<Case> cases = List.of(
        new Case(Optional.of(namespace(false)), Optional.empty(), 1),
        new Case(Optional.of(namespace(false)), Optional.of(account(false)), 0),
        new Case(Optional.of(namespace(false)), Optional.of(account(true)), 0),
        new Case(Optional.of(namespace(true)), Optional.empty(), 0),
        new Case(Optional.empty(), Optional.empty(), 0));
    for (Case c : cases) {
      List<Action> actions = ServiceAccountsReconciler.reconcile(c.namespace(), c.account());
      assertEquals(c.creates(), actions.size(), c::toString);
      for (Action a : actions) {
        KubeObject created = ((Action.Create) a).object();
        assertEquals("ServiceAccount", created.kind());
        assertEquals("dev", created.metadata().namespace());
        assertEquals("default", created.metadata().name());
      }
    }
  }
}
