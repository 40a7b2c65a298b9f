package org.hamlet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** One page of what a {@link Query} found, and how many records it matches in all. Immutable. */
public final class QueryResult {
  private final long total;
  private final List<Record> records;

  QueryResult(Map<String, Object> json) {
    total = Answers.number(json, "total");
    List<Record> out = new ArrayList<>();
    for (Object r : Answers.list(json.get("records"))) out.add(new Record(Answers.map(r)));
    records = Collections.unmodifiableList(out);
  }

  /** Records matching the query, beyond the page's offset and limit too. */
  public long total() {
    return total;
  }

  public List<Record> records() {
    return records;
  }
}
