package io.troupe.control.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * JSON Merge Patch, exactly as RFC 7386 section 2 defines it: null deletes a member, objects merge
 * member by member, and every other value, arrays included, replaces what was there.
 *
 * <p>This works on any JSON value, as the RFC does; the rule that a Kubernetes patch body must be an
 * object is {@link Patches}' to enforce.
 */
final class MergePatch {
    private MergePatch() {
    }

    /** The merge of {@code patch} into {@code target}, as a new value; neither argument is changed. */
    static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        mergeInto(result, (ObjectNode) patch);
        return result;
    }

    /** Merges into {@code target}, which must be a private copy: it is changed in place. */
    private static void mergeInto(ObjectNode target, ObjectNode patch) {
        for (Map.Entry<String, JsonNode> member : patch.properties()) {
            String name = member.getKey();
            JsonNode value = member.getValue();
            if (value.isNull()) {
                target.remove(name);
            } else if (value.isObject()) {
                JsonNode current = target.get(name);
                ObjectNode merged = current != null && current.isObject()
                        ? (ObjectNode) current
                        : target.putObject(name);
                mergeInto(merged, (ObjectNode) value);
            } else {
                target.set(name, value.deepCopy());
            }
        }
    }
}
