package io.troupe.control.api.patch;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a strategic merge is inside an object: the field names from the root, such as
 * spec.template.spec.containers. List elements add no name, so the fields of a container are at
 * spec.containers.ports, spec.containers.env and so on; that is all the merge-key table needs.
 */
record FieldPath(List<String> names) {
    static final FieldPath ROOT = new FieldPath(List.of());

    FieldPath {
        names = List.copyOf(names);
    }

    FieldPath child(String name) {
        List<String> longer = new ArrayList<>(names.size() + 1);
        longer.addAll(names);
        longer.add(name);
        return new FieldPath(longer);
    }

    boolean isRoot() {
        return names.isEmpty();
    }

    /** The innermost field name, or "" at the root. */
    String field() {
        return names.isEmpty() ? "" : names.get(names.size() - 1);
    }

    /** The name of the field that holds this one, or "" when there is none. */
    String parentField() {
        return names.size() < 2 ? "" : names.get(names.size() - 2);
    }

    @Override
    public String toString() {
        return String.join(".", names);
    }
}
