package org.hamlet;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The field values of one insert or update: text, integers, booleans, timestamps (kept to the millisecond) and null.
 * Text may be any Unicode; names are at most 255 bytes of UTF-8. Not thread safe.
 */
public final class Fields {
  private final Map<String, Object> values = new LinkedHashMap<>();

  public Fields() {}

  /** A new, empty set of fields, for chaining: {@code Fields.of().put("summary", "Đường ngập")}. */
  public static Fields of() {
    return new Fields();
  }

  public Fields put(String name, String text) {
    values.put(Objects.requireNonNull(name, "name"), text);
    return this;
  }

  public Fields put(String name, long value) {
    values.put(Objects.requireNonNull(name, "name"), value);
    return this;
  }

  public Fields put(String name, boolean value) {
    values.put(Objects.requireNonNull(name, "name"), value);
    return this;
  }

  public Fields put(String name, Instant time) {
    values.put(Objects.requireNonNull(name, "name"), time);
    return this;
  }

  /** Sets the field to null (an update clears it). */
  public Fields putNull(String name) {
    values.put(Objects.requireNonNull(name, "name"), null);
    return this;
  }

  /** The values given so far, read-only. */
  public Map<String, Object> asMap() {
    return Collections.unmodifiableMap(values);
  }
}
