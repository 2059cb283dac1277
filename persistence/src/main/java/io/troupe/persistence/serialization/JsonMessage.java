package io.troupe.persistence.serialization;

/**
 * Marker for what is written to the journal and the snapshot store: serialized as JSON by Pekko's Jackson
 * serializer, with the class name as manifest.
 *
 * <p>Evolving a schema: adding an optional field is compatible as is (readers tolerate missing and unknown
 * fields); renaming or restructuring needs a {@code JacksonMigration} registered under
 * {@code pekko.serialization.jackson.migrations} that rewrites old JSON trees when they are read, with the
 * version bumped. Classes are never renamed without such a migration.
 */
public interface JsonMessage {}
