package org.hamlet;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** A field written concurrently on several devices: the value the merge kept and the others. Immutable. */
public final class Conflict {
  private final String record;
  private final String collection;
  private final String field;
  private final Object winner;
  private final List<Object> others;

  @SuppressWarnings("unchecked")
  Conflict(Map<String, Object> json) {
    record = Answers.text(json, "record");
    collection = Answers.text(json, "collection");
    field = Answers.text(json, "field");
    winner = json.get("winner");
    others = Collections.unmodifiableList((List<Object>) Answers.list(json.get("others")));
  }

  public String recordId() {
    return record;
  }

  public String collection() {
    return collection;
  }

  public String field() {
    return field;
  }

  /** The value every replica shows; writing the field again settles the conflict. */
  public Object winner() {
    return winner;
  }

  public List<Object> others() {
    return others;
  }
}
