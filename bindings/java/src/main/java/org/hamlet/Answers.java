package org.hamlet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Reading the engine's JSON answers, which the native layer hands over as maps, lists, strings and longs. */
final class Answers {
  private Answers() {}

  static String text(Map<?, ?> m, String key) {
    Object v = m.get(key);
    return v instanceof String ? (String) v : null;
  }

  static long number(Map<?, ?> m, String key) {
    Object v = m.get(key);
    return v instanceof Long ? (Long) v : 0;
  }

  static boolean yes(Map<?, ?> m, String key) {
    return Boolean.TRUE.equals(m.get(key));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object v) {
    return v instanceof Map ? (Map<String, Object>) v : Collections.emptyMap();
  }

  static List<?> list(Object v) {
    return v instanceof List ? (List<?>) v : Collections.emptyList();
  }

  static List<String> texts(Object v) {
    List<String> out = new ArrayList<>();
    for (Object o : list(v)) out.add((String) o);
    return Collections.unmodifiableList(out);
  }
}
