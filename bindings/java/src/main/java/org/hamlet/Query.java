package org.hamlet;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Replica#find} looks for: the records of one collection, optionally in one workspace, with fields
 * equal to values, containing words (diacritics optional: "dat dai" finds "đất đai"), in a time range, ordered and
 * paged. Without an order, the records changed most recently on this replica come first. Not thread safe.
 */
public final class Query {
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final Map<String, Object> equals = new LinkedHashMap<>();

  private Query(String collection) {
    json.put("collection", Objects.requireNonNull(collection, "collection"));
  }

  public static Query collection(String collection) {
    return new Query(collection);
  }

  public Query workspace(String workspace) {
    json.put("workspace", Objects.requireNonNull(workspace, "workspace"));
    return this;
  }

  public Query whereEquals(String field, String value) {
    equals.put(Objects.requireNonNull(field, "field"), value);
    return this;
  }

  public Query whereEquals(String field, long value) {
    equals.put(Objects.requireNonNull(field, "field"), value);
    return this;
  }

  public Query whereEquals(String field, boolean value) {
    equals.put(Objects.requireNonNull(field, "field"), value);
    return this;
  }

  public Query whereEquals(String field, Instant value) {
    equals.put(Objects.requireNonNull(field, "field"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** Records whose indexed text contains every word of text. */
  public Query text(String text) {
    json.put("text", Objects.requireNonNull(text, "text"));
    return this;
  }

  /** Records whose timestamp field lies in [from, to); either bound may be null. */
  public Query timeRange(String field, Instant from, Instant to) {
    json.put("time_field", Objects.requireNonNull(field, "field"));
    if (from != null) json.put("from", from);
    if (to != null) json.put("to", to);
    return this;
  }

  public Query orderBy(String field, boolean descending) {
    json.put("order_by", Objects.requireNonNull(field, "field"));
    json.put("descending", descending);
    return this;
  }

  public Query offset(long offset) {
    json.put("offset", offset);
    return this;
  }

  public Query limit(long limit) {
    json.put("limit", limit);
    return this;
  }

  /** The query in the JSON form of protocol.md 9, as maps, for the native layer. */
  Map<String, Object> toMap() {
    Map<String, Object> all = new LinkedHashMap<>(json);
    if (!equals.isEmpty()) all.put("equals", new LinkedHashMap<>(equals));
    return all;
  }
}
