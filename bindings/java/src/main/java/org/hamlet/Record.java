package org.hamlet;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One record as this replica holds it after merging: its fields' winning values, and for a field written
 * concurrently on two devices, the values that lost (shown to the user to settle). Immutable.
 *
 * <p>Field values are {@link String}, {@link Long}, {@link Boolean}, {@link Instant} or null.
 */
public final class Record {
  private final String id;
  private final String workspace;
  private final String collection;
  private final boolean deleted;
  private final Instant updated;
  private final Map<String, Object> fields;
  private final Map<String, List<Object>> conflicts;

  Record(Map<String, Object> json) {
    id = Answers.text(json, "id");
    workspace = Answers.text(json, "workspace");
    collection = Answers.text(json, "collection");
    deleted = Answers.yes(json, "deleted");
    updated = Instant.ofEpochMilli(Answers.number(json, "updated"));
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(Answers.map(json.get("fields"))));
    Map<String, List<Object>> c = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : Answers.map(json.get("conflicts")).entrySet()) {
      @SuppressWarnings("unchecked")
      List<Object> values = (List<Object>) Answers.list(e.getValue());
      c.put(e.getKey(), Collections.unmodifiableList(values));
    }
    conflicts = Collections.unmodifiableMap(c);
  }

  public String id() {
    return id;
  }

  public String workspace() {
    return workspace;
  }

  public String collection() {
    return collection;
  }

  public boolean isDeleted() {
    return deleted;
  }

  /** When the record last changed, by the clock of the device that changed it. */
  public Instant updated() {
    return updated;
  }

  /** Every field, read-only. */
  public Map<String, Object> fields() {
    return fields;
  }

  /** The field's value: a String, Long, Boolean, Instant, or null when unset. */
  public Object get(String field) {
    return fields.get(field);
  }

  /** The field's text, or null when it is unset or not text. */
  public String getString(String field) {
    Object v = fields.get(field);
    return v instanceof String ? (String) v : null;
  }

  /** The field's integer, or null when it is unset or not an integer. */
  public Long getLong(String field) {
    Object v = fields.get(field);
    return v instanceof Long ? (Long) v : null;
  }

  public Boolean getBoolean(String field) {
    Object v = fields.get(field);
    return v instanceof Boolean ? (Boolean) v : null;
  }

  public Instant getInstant(String field) {
    Object v = fields.get(field);
    return v instanceof Instant ? (Instant) v : null;
  }

  /** For each field with concurrent values that lost the merge, those values; empty when there are none. */
  public Map<String, List<Object>> conflicts() {
    return conflicts;
  }

  @Override
  public String toString() {
    return collection + "/" + id + (deleted ? " (deleted) " : " ") + fields;
  }
}
