package io.troupe.persistence.watch;

import io.troupe.persistence.model.KubeObject;
import java.util.function.Predicate;

/**
 * What a watcher asked for: a kind, an optional namespace, a filter (selectors), and where to start.
 *
 * @param fromRevision events after this revision; null to start with the current objects as ADDED
 * @param initialEvents send the current objects as ADDED first, then a BOOKMARK marking their end
 * @param bookmarks send periodic BOOKMARKs (allowWatchBookmarks)
 */
public record WatchRequest(
    String kind, String namespace, Predicate<KubeObject> filter, Long fromRevision, boolean initialEvents,
    boolean bookmarks) {}
