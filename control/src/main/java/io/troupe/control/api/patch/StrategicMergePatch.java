package io.troupe.control.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes strategic merge patch for built-in kinds. It is JSON merge patch (null deletes, objects
 * merge, other values replace) except that lists with a strategy in {@link ListPatchStrategy} are
 * merged element by element rather than replaced, and that the patch may carry directives:
 * <ul>
 *   <li>{@code $patch} in an object: {@code replace} puts the patch's object in place of the old one,
 *       {@code delete} empties it, {@code merge} is the default made explicit;</li>
 *   <li>{@code $patch} in a list element: {@code delete} removes the element with the same merge key,
 *       {@code replace} (an element of its own) makes the other elements replace the whole list,
 *       {@code merge} changes nothing;</li>
 *   <li>{@code $retainKeys}: the object keeps only the fields listed;</li>
 *   <li>{@code $deleteFromPrimitiveList/<field>}: removes the listed values from a list of primitives;</li>
 *   <li>{@code $setElementOrder/<field>}: the order the merged list is to have.</li>
 * </ul>
 * Directives are carried out, never copied: none of them ends up in the result.
 */
final class StrategicMergePatch {
    private static final String PATCH = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";
    private static final String SET_ELEMENT_ORDER = "$setElementOrder/";

    /** Only for messages: merge keys are decided by field path, see {@link ListPatchStrategy#forList}. */
    private final String kind;

    private StrategicMergePatch(String kind) {
        this.kind = kind;
    }

    /** The merge of {@code patch} into {@code original}, as a new object; neither argument is changed. */
    static ObjectNode apply(ObjectNode original, ObjectNode patch, String kind) {
        return new StrategicMergePatch(kind).mergeObject(original.deepCopy(), patch, FieldPath.ROOT);
    }

    /** Merges into {@code target}, a private copy changed in place, and returns the result. */
    private ObjectNode mergeObject(ObjectNode target, ObjectNode patch, FieldPath path) {
        String directive = directiveOf(patch, path);
        if (directive == null || directive.equals("merge")) {
            return mergeFields(target, patch, path);
        }
        if (directive.equals("replace")) {
            // Merging into nothing keeps the patch's fields and still carries out the directives inside it.
            return mergeFields(newObject(), patch, path);
        }
        if (directive.equals("delete")) {
            return newObject();
        }
        throw failure(path, "unknown $patch directive \"" + directive + "\"; it must be replace, delete or merge");
    }

    private ObjectNode mergeFields(ObjectNode target, ObjectNode patch, FieldPath path) {
        retainKeys(target, patch, path);
        // Deletions go first, so that a patch that both removes and adds a value ends up with it.
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String name = field.getKey();
            if (name.startsWith(DELETE_FROM_PRIMITIVE_LIST) && name.length() > DELETE_FROM_PRIMITIVE_LIST.length()) {
                deleteFromPrimitiveList(target, name.substring(DELETE_FROM_PRIMITIVE_LIST.length()), field.getValue(), path);
            } else if (name.startsWith("$") && !isDirectiveHandledElsewhere(name)) {
                // Kubernetes field names never start with $, so this is a mistyped directive, not data.
                throw failure(path, "unknown directive \"" + name + "\"");
            }
        }
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            String name = field.getKey();
            if (name.startsWith("$")) {
                continue;
            }
            if (field.getValue().isNull()) {
                target.remove(name);
            } else {
                target.set(name, merge(target.get(name), field.getValue(), path.child(name)));
            }
        }
        // Ordering comes last, so that it sees the elements the patch added.
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (field.getKey().startsWith(SET_ELEMENT_ORDER)) {
                setElementOrder(target, field.getKey().substring(SET_ELEMENT_ORDER.length()), field.getValue(), path);
            }
        }
        return target;
    }

    private static boolean isDirectiveHandledElsewhere(String name) {
        return name.equals(PATCH) || name.equals(RETAIN_KEYS)
                || (name.startsWith(SET_ELEMENT_ORDER) && name.length() > SET_ELEMENT_ORDER.length());
    }

    /** The merge of a patch value into the current one, which may be null when the field is absent. */
    private JsonNode merge(JsonNode current, JsonNode patchValue, FieldPath path) {
        if (patchValue.isObject()) {
            ObjectNode base = current != null && current.isObject() ? (ObjectNode) current : newObject();
            return mergeObject(base, (ObjectNode) patchValue, path);
        }
        if (patchValue.isArray()) {
            ArrayNode base = current != null && current.isArray() ? (ArrayNode) current : newArray();
            return mergeList(base, (ArrayNode) patchValue, path);
        }
        return patchValue.deepCopy();
    }

    private ArrayNode mergeList(ArrayNode current, ArrayNode patch, FieldPath path) {
        ListPatchStrategy strategy = ListPatchStrategy.forList(path);
        List<JsonNode> elements = new ArrayList<>();
        boolean replace = false;
        for (JsonNode element : patch) {
            String directive = element.isObject() ? directiveOf((ObjectNode) element, path) : null;
            if (directive == null) {
                elements.add(element);
            } else if (directive.equals("replace")) {
                if (element.size() != 1) {
                    throw failure(path, "a {\"$patch\": \"replace\"} list element must have no other fields");
                }
                replace = true;
            } else if (directive.equals("delete")) {
                deleteElement(current, (ObjectNode) element, strategy, path);
            } else if (directive.equals("merge")) {
                if (element.size() > 1) {
                    elements.add(element);
                }
            } else {
                throw failure(path, "unknown $patch directive \"" + directive + "\"; it must be replace, delete or merge");
            }
        }
        ArrayNode base = replace ? newArray() : current;
        if (strategy instanceof ListPatchStrategy.MergeByKey byKey) {
            return mergeByKey(base, elements, byKey.mergeKey(), path);
        }
        if (strategy instanceof ListPatchStrategy.MergeSet) {
            return mergeSet(base, elements, path);
        }
        ArrayNode replaced = newArray();
        for (JsonNode element : elements) {
            replaced.add(merge(null, element, path));
        }
        return replaced;
    }

    private ArrayNode mergeByKey(ArrayNode merged, List<JsonNode> elements, String mergeKey, FieldPath path) {
        for (JsonNode element : elements) {
            JsonNode key = requireMergeKey(element, mergeKey, path);
            int match = indexOf(merged, mergeKey, key);
            if (match < 0) {
                merged.add(mergeObject(newObject(), (ObjectNode) element, path));
            } else {
                merged.set(match, mergeObject((ObjectNode) merged.get(match), (ObjectNode) element, path));
            }
        }
        return merged;
    }

    private ArrayNode mergeSet(ArrayNode merged, List<JsonNode> elements, FieldPath path) {
        for (JsonNode element : elements) {
            JsonNode value = merge(null, element, path);
            if (indexOf(merged, value) < 0) {
                merged.add(value);
            }
        }
        return merged;
    }

    private void deleteElement(ArrayNode current, ObjectNode element, ListPatchStrategy strategy, FieldPath path) {
        if (!(strategy instanceof ListPatchStrategy.MergeByKey byKey)) {
            throw failure(path, strategy instanceof ListPatchStrategy.MergeSet
                    ? "$patch: delete cannot remove primitives; use " + DELETE_FROM_PRIMITIVE_LIST + path.field()
                    : "$patch: delete needs a list merged by key, and this list is replaced whole");
        }
        JsonNode key = requireMergeKey(element, byKey.mergeKey(), path);
        current.removeIf(existing -> existing.isObject() && JsonValues.same(existing.get(byKey.mergeKey()), key));
    }

    private JsonNode requireMergeKey(JsonNode element, String mergeKey, FieldPath path) {
        if (!element.isObject()) {
            throw failure(path, "elements must be objects with merge key \"" + mergeKey + "\", got "
                    + JsonValues.typeOf(element));
        }
        JsonNode key = element.get(mergeKey);
        if (key == null || key.isNull()) {
            throw failure(path, "element " + JsonValues.brief(element) + " has no merge key \"" + mergeKey + "\"");
        }
        return key;
    }

    /** Drops the fields of {@code target} not listed in the patch's {@code $retainKeys}, as Kubernetes does. */
    private void retainKeys(ObjectNode target, ObjectNode patch, FieldPath path) {
        JsonNode retain = patch.get(RETAIN_KEYS);
        if (retain == null) {
            return;
        }
        if (!retain.isArray()) {
            throw failure(path, RETAIN_KEYS + " must be a list of field names, got " + JsonValues.typeOf(retain));
        }
        Set<String> kept = new HashSet<>();
        for (JsonNode name : retain) {
            if (!name.isTextual()) {
                throw failure(path, RETAIN_KEYS + " must be a list of field names, got " + JsonValues.brief(name));
            }
            kept.add(name.textValue());
        }
        // A patch that sets a field it does not retain contradicts itself; Kubernetes refuses it too.
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (!field.getKey().startsWith("$") && !field.getValue().isNull() && !kept.contains(field.getKey())) {
                throw failure(path, "field \"" + field.getKey() + "\" is set but not listed in " + RETAIN_KEYS);
            }
        }
        target.retain(kept);
    }

    private void deleteFromPrimitiveList(ObjectNode target, String field, JsonNode values, FieldPath path) {
        if (!values.isArray()) {
            throw failure(path, DELETE_FROM_PRIMITIVE_LIST + field + " must be a list, got " + JsonValues.typeOf(values));
        }
        JsonNode list = target.get(field);
        if (list != null && list.isArray()) {
            ((ArrayNode) list).removeIf(element -> indexOf((ArrayNode) values, element) >= 0);
        }
    }

    /**
     * Reorders a list as {@code $setElementOrder/<field>} asks: the elements it names come first, in
     * its order, and any others follow in the order they had. Kubernetes instead slots the others
     * back near their old neighbours; the two agree whenever the order names every element, as
     * kubectl's own patches do.
     */
    private void setElementOrder(ObjectNode target, String field, JsonNode order, FieldPath path) {
        FieldPath listPath = path.child(field);
        if (!order.isArray()) {
            throw failure(listPath, SET_ELEMENT_ORDER + field + " must be a list, got " + JsonValues.typeOf(order));
        }
        JsonNode list = target.get(field);
        if (list == null || !list.isArray()) {
            return;
        }
        String mergeKey = ListPatchStrategy.forList(listPath) instanceof ListPatchStrategy.MergeByKey byKey
                ? byKey.mergeKey() : null;
        List<JsonNode> rest = new ArrayList<>();
        list.forEach(rest::add);
        ArrayNode ordered = newArray();
        for (JsonNode entry : order) {
            JsonNode wanted = mergeKey == null ? entry : requireMergeKey(entry, mergeKey, listPath);
            for (Iterator<JsonNode> it = rest.iterator(); it.hasNext(); ) {
                JsonNode element = it.next();
                if (JsonValues.same(mergeKey == null ? element : element.get(mergeKey), wanted)) {
                    ordered.add(element);
                    it.remove();
                    break;
                }
            }
        }
        rest.forEach(ordered::add);
        target.set(field, ordered);
    }

    private String directiveOf(ObjectNode node, FieldPath path) {
        JsonNode directive = node.get(PATCH);
        if (directive == null) {
            return null;
        }
        if (!directive.isTextual()) {
            throw failure(path, PATCH + " must be a string, got " + JsonValues.typeOf(directive));
        }
        return directive.textValue();
    }

    private static int indexOf(ArrayNode list, String mergeKey, JsonNode key) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).isObject() && JsonValues.same(list.get(i).get(mergeKey), key)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(ArrayNode list, JsonNode value) {
        for (int i = 0; i < list.size(); i++) {
            if (JsonValues.same(list.get(i), value)) {
                return i;
            }
        }
        return -1;
    }

    private PatchException failure(FieldPath path, String what) {
        String subject = kind == null || kind.isBlank() ? "strategic merge patch" : "strategic merge patch of " + kind;
        return new PatchException(subject + ": " + (path.isRoot() ? "" : path + ": ") + what);
    }

    private static ObjectNode newObject() {
        return JsonNodeFactory.instance.objectNode();
    }

    private static ArrayNode newArray() {
        return JsonNodeFactory.instance.arrayNode();
    }
}
