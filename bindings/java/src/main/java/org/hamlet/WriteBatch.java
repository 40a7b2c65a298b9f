package org.hamlet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The operations of one commit, applied all together or not at all by {@link Replica#commit}. A batch may be
 * committed more than once (each time is a new commit). Not thread safe.
 */
public final class WriteBatch {
  private final List<Map<String, Object>> ops = new ArrayList<>();

  /** Inserts a new record into collection; its id comes back in {@link CommitResult#insertedIds()}. */
  public WriteBatch insert(String collection, Fields fields) {
    Map<String, Object> op = op("insert");
    op.put("collection", Objects.requireNonNull(collection, "collection"));
    op.put("fields", new LinkedHashMap<>(fields.asMap()));
    ops.add(op);
    return this;
  }

  /**
   * Inserts a record under an id the app chose, such as {@link Replica#namedRecordId} of its own key, so that two
   * devices inserting it offline write the same record.
   */
  public WriteBatch insert(String collection, String id, Fields fields) {
    Map<String, Object> op = op("insert");
    op.put("collection", Objects.requireNonNull(collection, "collection"));
    op.put("id", Objects.requireNonNull(id, "id"));
    op.put("fields", new LinkedHashMap<>(fields.asMap()));
    ops.add(op);
    return this;
  }

  /** Sets the given fields of record id, leaving the others as they are. */
  public WriteBatch update(String id, Fields fields) {
    Map<String, Object> op = op("update");
    op.put("id", Objects.requireNonNull(id, "id"));
    op.put("fields", new LinkedHashMap<>(fields.asMap()));
    ops.add(op);
    return this;
  }

  /** Marks record id deleted; its fields stay, and {@link #restore} brings it back. */
  public WriteBatch delete(String id) {
    Map<String, Object> op = op("delete");
    op.put("id", Objects.requireNonNull(id, "id"));
    ops.add(op);
    return this;
  }

  public WriteBatch restore(String id) {
    Map<String, Object> op = op("restore");
    op.put("id", Objects.requireNonNull(id, "id"));
    ops.add(op);
    return this;
  }

  public int size() {
    return ops.size();
  }

  /** The batch in the JSON form of protocol.md 9, as maps and lists, for the native layer. */
  List<Map<String, Object>> operations() {
    return ops;
  }

  private static Map<String, Object> op(String kind) {
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("op", kind);
    return op;
  }
}
