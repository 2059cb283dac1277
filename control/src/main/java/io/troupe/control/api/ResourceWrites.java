package io.troupe.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.admission.Admission;
import io.troupe.control.api.admission.ObjectLimits;
import io.troupe.control.api.admission.ServiceAccountAdmission;
import io.troupe.control.api.admission.ServiceAddresses;
import io.troupe.control.api.patch.PatchException;
import io.troupe.control.controller.quota.QuotaAdmission;
import io.troupe.control.api.patch.PatchType;
import io.troupe.control.api.patch.Patches;
import io.troupe.control.auth.rbac.RoleEscalation;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import io.troupe.persistence.watch.Stored;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.troupe.persistence.model.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;

/** create, update, patch and delete of objects and their status and scale subresources. */
final class ResourceWrites {
  /** How often a patch without a resourceVersion is re-applied when another writer got there first. */
  private static final int PATCH_ATTEMPTS = 5;

  private final Store store;
  private final ServiceAddresses services;
  private final Materializer materializer;
  private final RoleEscalation escalation;

  /** The store, its writes recorded as made by the request's client (the object's history shows it). */
  private Store writer(ResourceRequest r) {
    return store.as(r.author());
  }

  ResourceWrites(Store store, ServiceAddresses services, Materializer materializer, RoleEscalation escalation) {
    this.store = store;
    this.services = services;
    this.materializer = materializer;
    this.escalation = escalation;
  }

  // ---- create ----

  CompletionStage<HttpResponse> create(ResourceRequest r) {
    return RequestBody.object(r.http(), materializer).thenCompose(body -> {
      KubeObject object = Admission.forCreate(r.type(), r.namespace(), body,
          () -> store.cache().items(ResourceTypes.STORAGE_CLASS.kind(), null));
      escalation.check(r.user(), object, null);
      requireNamespace(r);
      withinQuota(r, object);
      if (r.type() == ResourceTypes.POD) {
        return ServiceAccountAdmission.admit(store, object)
            .thenCompose(admitted -> writer(r).create(object))
            .thenApply(result -> respond(r, result, object.metadata().name(), 201));
      }
      if (r.type() == ResourceTypes.SERVICE) {
        // a ClusterIP and nodePorts, released again if the create fails
        return services.forCreate(object)
            .thenCompose(allocation -> services.write(allocation, o -> writer(r).create(o)))
            .thenApply(result -> respond(r, result, object.metadata().name(), 201));
      }
      return writer(r).create(object).thenApply(result -> respond(r, result, object.metadata().name(), 201));
    });
  }

  /** Objects in a namespace that does not exist get 404; in one being deleted, 403. */
  private void requireNamespace(ResourceRequest r) {
    if (!r.type().namespaced()) return;
    Stored ns = store.get(ObjectKey.of("Namespace", null, r.namespace()))
        .orElseThrow(() -> ApiException.notFound("namespaces", "", r.namespace()));
    if (ns.object().metadata().isDeleting()) {
      throw ApiException.forbidden(r.type().plural(), r.type().group(), null, "unable to create new content in "
          + "namespace " + r.namespace() + " because it is being terminated");
    }
  }

  /**
   * A create that would exceed a ResourceQuota of its namespace gets 403, as Kubernetes' quota admission. Checked
   * against the watch cache: two creates racing for the last unit may both pass (Kubernetes serializes them
   * through the quota's status).
   */
  private void withinQuota(ResourceRequest r, KubeObject object) {
    if (!r.type().namespaced()) return;
    List<KubeObject> quotas = store.cache().items("ResourceQuota", r.namespace());
    if (quotas.isEmpty()) return;
    List<KubeObject> existing = store.cache().items(r.type().kind(), r.namespace());
    QuotaAdmission.check(quotas, existing, object).ifPresent(message -> {
      throw ApiException.forbidden(r.type().plural(), r.type().group(), object.metadata().name(),
          r.type().plural() + " \"" + object.metadata().name() + "\" is forbidden: " + message);
    });
  }

  // ---- update (PUT) ----

  CompletionStage<HttpResponse> update(ResourceRequest r) {
    return RequestBody.object(r.http(), materializer).thenCompose(body -> {
      if (r.type() == ResourceTypes.SERVICE) return updateService(r, body, PATCH_ATTEMPTS);
      return store.current(r.key()).thenCompose(current -> {
        KubeObject existing = current.orElseThrow(r::notFound).object();
        KubeObject object = Admission.forUpdate(r.type(), r.namespace(), r.name(), body, existing);
        escalation.check(r.user(), object, existing);
        return store.expectedRevision(r.key(), object.metadata().resourceVersion())
            .thenCompose(expected -> writer(r).replace(object, r.type().hasStatus(), expected))
            .thenApply(result -> respond(r, result, r.name(), 200));
      });
    });
  }

  /**
   * A Service's update allocates against the Service it read (a type change takes or gives up nodePorts), so its
   * write is conditional on that version even when the client sent none; such an update is tried again when
   * another write got there first, as the patch is.
   */
  private CompletionStage<HttpResponse> updateService(ResourceRequest r, ObjectNode body, int attemptsLeft) {
    return store.current(r.key()).thenCompose(current -> {
      Store.Current now = current.orElseThrow(r::notFound);
      KubeObject object = Admission.forUpdate(r.type(), r.namespace(), r.name(), body, now.object());
      String asked = object.metadata().resourceVersion();
      boolean conditional = asked != null && !asked.isEmpty();
      return store.expectedRevision(r.key(), asked)
          .thenCompose(expected -> services.forUpdate(object, now.object()).thenCompose(allocation ->
              services.write(allocation, o -> writer(r).replace(o, true, conditional ? expected : now.revision()))))
          .thenCompose(result -> {
            if (!conditional && attemptsLeft > 1 && result instanceof StoreResult.Refused refused
                && refused.reason() == ResourceEntity.Reason.CONFLICT) {
              return updateService(r, body, attemptsLeft - 1);
            }
            return CompletableFuture.completedFuture(respond(r, result, r.name(), 200));
          });
    });
  }

  CompletionStage<HttpResponse> updateStatus(ResourceRequest r) {
    return RequestBody.object(r.http(), materializer).thenCompose(body -> {
      KubeObject object = KubeObject.fromTree(body);
      checkName(r, object);
      ObjectLimits.check(r.type(), object);
      return store.expectedRevision(r.key(), object.metadata().resourceVersion())
          .thenCompose(expected -> writer(r).replaceStatus(object, expected))
          .thenApply(result -> respond(r, result, r.name(), 200));
    });
  }

  private static void checkName(ResourceRequest r, KubeObject object) {
    String name = object.metadata().name();
    if (name != null && !name.equals(r.name())) {
      throw ApiException.badRequest("the name of the object (" + name + ") does not match the name on the URL ("
          + r.name() + ")");
    }
  }

  // ---- patch ----

  CompletionStage<HttpResponse> patch(ResourceRequest r) {
    PatchType patchType = PatchType.ofMediaType(RequestBody.mediaType(r.http()))
        .orElseThrow(() -> ApiException.unsupportedMediaType(RequestBody.mediaType(r.http())));
    if (patchType == PatchType.APPLY_PATCH) {
      throw ApiException.unsupportedMediaType(patchType.mediaType() + " (server-side apply is not supported yet)");
    }
    return RequestBody.text(r.http(), materializer).thenCompose(text -> {
      JsonNode patch = RequestBody.parse(text, false);
      String sub = r.info().subresource();
      Function<KubeObject, ObjectNode> view = "scale".equals(sub) ? Scale::of : KubeObject::toTree;
      return patchWithRetries(r, o -> {
        ObjectNode patched = applyPatch(patchType, view.apply(o), patch, r);
        return "scale".equals(sub) ? Scale.applyTo(o, patched) : KubeObject.fromTree(patched);
      }, PATCH_ATTEMPTS);
    });
  }

  private static ObjectNode applyPatch(PatchType type, ObjectNode original, JsonNode patch, ResourceRequest r) {
    try {
      return Patches.apply(type, original, patch, r.type().kind());
    } catch (PatchException e) {
      throw new ApiException(422, "Invalid", "the patch could not be applied: " + e.getMessage(), null);
    }
  }

  private CompletionStage<HttpResponse> patchWithRetries(ResourceRequest r, Function<KubeObject, KubeObject> change,
      int attemptsLeft) {
    return store.current(r.key()).thenCompose(current -> {
      Store.Current now = current.orElseThrow(r::notFound);
      // the resourceVersion of exactly this state, for patches that test or set it
      return store.cache().awaitApplied(r.key(), now.revision()).thenCompose(stored ->
          patchOnce(r, change, attemptsLeft, now, now.object().withResourceVersion(stored.revision())));
    });
  }

  private CompletionStage<HttpResponse> patchOnce(ResourceRequest r, Function<KubeObject, KubeObject> change,
      int attemptsLeft, Store.Current now, KubeObject original) {
    {
      KubeObject patched = change.apply(original);
      String sub = r.info().subresource();
      // a patch that sets metadata.resourceVersion asks for a conditional write; otherwise we write against
      // the version we patched, and re-apply the patch when someone else wrote first
      String askedVersion = patched.metadata().resourceVersion();
      boolean conditional = askedVersion != null && !askedVersion.equals(original.metadata().resourceVersion());
      CompletionStage<StoreResult> written;
      if ("status".equals(sub)) {
        checkName(r, patched);
        ObjectLimits.check(r.type(), patched);
        written = conditional
            ? store.expectedRevision(r.key(), askedVersion).thenCompose(e -> writer(r).replaceStatus(patched, e))
            : writer(r).replaceStatus(patched, now.revision());
      } else {
        KubeObject object = Admission.forUpdate(r.type(), r.namespace(), r.name(), patched.toTree(), now.object());
        escalation.check(r.user(), object, now.object());
        Function<KubeObject, CompletionStage<StoreResult>> replace = o -> conditional
            ? store.expectedRevision(r.key(), askedVersion)
                .thenCompose(e -> writer(r).replace(o, r.type().hasStatus(), e))
            : writer(r).replace(o, r.type().hasStatus(), now.revision());
        written = r.type() == ResourceTypes.SERVICE
            ? services.forUpdate(object, now.object()).thenCompose(allocation -> services.write(allocation, replace))
            : replace.apply(object);
      }
      return written.thenCompose(result -> {
        if (!conditional && attemptsLeft > 1 && result instanceof StoreResult.Refused refused
            && refused.reason() == ResourceEntity.Reason.CONFLICT) {
          return patchWithRetries(r, change, attemptsLeft - 1);
        }
        // a patch of the scale subresource answers a Scale, as its get and update do (kubectl scale reads it)
        return CompletableFuture.completedFuture("scale".equals(sub) ? respondScale(r, result)
            : respond(r, result, r.name(), 200));
      });
    }
  }

  // ---- scale ----

  HttpResponse getScale(ResourceRequest r) {
    return store.get(r.key()).map(s -> ApiResponses.ok(Scale.of(s.object()))).orElseThrow(r::notFound);
  }

  CompletionStage<HttpResponse> updateScale(ResourceRequest r) {
    return RequestBody.object(r.http(), materializer).thenCompose(body ->
        store.current(r.key()).thenCompose(current -> {
          KubeObject existing = current.orElseThrow(r::notFound).object();
          KubeObject scaled = Scale.applyTo(existing, body);
          String rv = body.path("metadata").path("resourceVersion").asText(null);
          return store.expectedRevision(r.key(), rv)
              .thenCompose(expected -> writer(r).replace(scaled, true,
                  rv == null ? current.get().revision() : expected))
              .thenApply(result -> respondScale(r, result));
        }));
  }

  private static HttpResponse respondScale(ResourceRequest r, StoreResult result) {
    if (result instanceof StoreResult.Written w) return ApiResponses.ok(Scale.of(w.stored().object()));
    return respond(r, result, r.name(), 200);
  }

  // ---- delete ----

  CompletionStage<HttpResponse> delete(ResourceRequest r) {
    return DeleteOptions.read(r, materializer).thenCompose(options -> {
      if (r.type() == ResourceTypes.NAMESPACE && DeleteOptions.PROTECTED_NAMESPACES.contains(r.name())) {
        throw ApiException.forbidden("namespaces", "", r.name(),
            "namespaces \"" + r.name() + "\" is forbidden: this namespace may not be deleted");
      }
      return store.expectedRevision(r.key(), options.resourceVersion())
          .thenCompose(expected -> writer(r).delete(r.key(), Admission.now(), options.uid(), expected,
              options.gracePeriodSeconds(), options.finalizers()))
          .thenApply(result -> {
            services.afterWrite(result);
            if (result instanceof StoreResult.Written w && !w.removed()) {
              return ApiResponses.json(stillThereCode(w.stored().object()), w.stored().object());
            }
            return respond(r, result, r.name(), 200);
          });
    });
  }

  /**
   * A delete that left the object in place: 202 Accepted when finalizers hold it (the garbage collector or the
   * namespace controller finishes the deletion), 200 with the object for a pod that is only waiting out its
   * grace period, as Kubernetes answers a graceful pod deletion.
   */
  private static int stillThereCode(KubeObject object) {
    boolean held = !object.metadata().finalizers().isEmpty() || !"Pod".equals(object.kind());
    return held ? 202 : 200;
  }

  /** Deletes every object the request's selectors match (in its namespace, or all), answering the list. */
  CompletionStage<HttpResponse> deleteCollection(ResourceRequest r) {
    var matching = store.cache().list(r.type().kind(), r.namespace(), ResourceReads.filter(r), null, 0).items();
    return DeleteOptions.read(r, materializer).thenCompose(options -> {
      List<CompletableFuture<StoreResult>> deletes = new ArrayList<>();
      for (KubeObject o : matching) {
        deletes.add(writer(r).delete(o.key(), Admission.now(), null, ResourceEntity.ANY_REVISION,
            options.gracePeriodSeconds(), options.finalizers()).toCompletableFuture()
            .whenComplete((result, failure) -> services.afterWrite(result)));
      }
      return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).thenApply(done -> {
        ObjectNode list = Json.object();
        list.put("kind", r.type().listKind());
        list.put("apiVersion", r.type().apiVersion());
        list.putObject("metadata").put("resourceVersion", Long.toString(store.cache().revision()));
        ArrayNode items = list.putArray("items");
        for (CompletableFuture<StoreResult> d : deletes) {
          if (d.join() instanceof StoreResult.Written w) items.add(w.stored().object().toTree());
        }
        return ApiResponses.ok(list);
      });
    });
  }

  /** Answers a store result: the object with {@code okStatus}, or the refusal as a Status. */
  static HttpResponse respond(ResourceRequest r, StoreResult result, String name, int okStatus) {
    if (result instanceof StoreResult.Written w) return ApiResponses.json(okStatus, w.stored().object());
    StoreResult.Refused refused = (StoreResult.Refused) result;
    String resource = r.type().plural();
    String group = r.type().group();
    switch (refused.reason()) {
      case NOT_FOUND:
        throw ApiException.notFound(resource, group, name);
      case ALREADY_EXISTS:
        throw ApiException.alreadyExists(resource, group, name);
      case CONFLICT: {
        String what = group.isEmpty() ? resource : resource + "." + group;
        String message = refused.message().replaceFirst("^" + r.type().kind() + " ", what + " ");
        throw ApiException.conflict(resource, group, name, message);
      }
      default:
        throw new ApiException(422, "Invalid", refused.message(), null);
    }
  }
}
