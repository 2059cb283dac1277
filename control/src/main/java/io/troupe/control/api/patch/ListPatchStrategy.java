package io.troupe.control.api.patch;

/**
 * How a strategic merge patch combines a list in the patch with the list already in the object:
 * the patchStrategy and patchMergeKey that Kubernetes declares on its built-in API types.
 */
sealed interface ListPatchStrategy {

    /** The elements are objects; those with the same value of {@code mergeKey} are merged, others added. */
    record MergeByKey(String mergeKey) implements ListPatchStrategy {
    }

    /** The elements are primitives kept as a set: the patch adds what is missing, in order. */
    record MergeSet() implements ListPatchStrategy {
    }

    /** No strategy: the patch's list replaces the whole list, as in JSON merge patch. */
    record Replace() implements ListPatchStrategy {
    }

    /**
     * The strategy for the list at {@code path}, looked up by its field name and, where one name means
     * different lists, by the field that holds it. Troupe serves only built-in kinds, whose field
     * names settle this without the kind. Lists not named here (tolerations, envFrom, Endpoints
     * subsets and their addresses, and any other) have no strategy and are replaced, as in Kubernetes.
     */
    static ListPatchStrategy forList(FieldPath path) {
        String parent = path.parentField();
        return switch (path.field()) {
            case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets" ->
                    new MergeByKey("name");
            case "volumeMounts" -> new MergeByKey("mountPath");
            case "volumeDevices" -> new MergeByKey("devicePath");
            case "conditions" -> new MergeByKey("type");
            case "ownerReferences" -> new MergeByKey("uid");
            case "hostAliases" -> new MergeByKey("ip");
            case "topologySpreadConstraints" -> new MergeByKey("topologyKey");
            // A container's ports, or a Service's spec.ports.
            case "ports" -> holdsContainers(parent) ? new MergeByKey("containerPort")
                    : "spec".equals(parent) ? new MergeByKey("port") : new Replace();
            // Node status.addresses; Endpoints subsets[].addresses have no strategy.
            case "addresses" -> "status".equals(parent) ? new MergeByKey("type") : new Replace();
            // metadata.finalizers merges; a Namespace's spec.finalizers does not.
            case "finalizers" -> "metadata".equals(parent) ? new MergeSet() : new Replace();
            default -> new Replace();
        };
    }

    /** The lists whose elements are containers, whose own ports merge by containerPort. */
    private static boolean holdsContainers(String field) {
        return field.equals("containers") || field.equals("initContainers") || field.equals("ephemeralContainers");
    }
}
