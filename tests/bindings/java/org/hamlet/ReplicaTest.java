package org.hamlet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The binding over a real engine, without a hub: writes, reads, queries, bundles, sealing, errors and threads. */
public class ReplicaTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder(new File(System.getProperty("hamlet.scratch", ".")));

  // Text beyond the Basic Multilingual Plane (the emoji) differs between UTF-8 and the JVM's modified UTF-8.
  static final String SUMMARY = "Đường liên thôn Bản Phố bị sạt lở sau mưa lũ — cần sửa gấp 🙏";
  static final String PASSPHRASE = "mật khẩu của cán bộ thôn";

  private String store(String name) {
    return new File(tmp.getRoot(), name).getPath();
  }

  @Test
  public void writesAndReadsVietnameseTextAndEveryValueType() throws Exception {
    String path = store("a.db");
    Instant received = Instant.ofEpochMilli(1_795_000_000_123L);
    String ws;
    String id;
    try (Replica r = Replica.open(path, PASSPHRASE, Replica.KDF_INTERACTIVE)) {
      assertTrue(r.deviceId().matches("[0-9a-f]{32}"));
      ws = r.createWorkspace();
      assertEquals(List.of(ws), r.workspaces());
      CommitResult c =
          r.commit(
              ws,
              new WriteBatch()
                  .insert(
                      "concerns",
                      Fields.of()
                          .put("summary", SUMMARY)
                          .put("hamlet", "Thôn Nà Lừa")
                          .put("received", received)
                          .put("households", 17)
                          .put("urgent", true)
                          .putNull("assignee")));
      assertEquals(1, c.insertedIds().size());
      id = c.insertedIds().get(0);
      assertEquals(1, c.seq());
    }
    // Reopened: the commit survived closing, and every value reads back as it was written.
    try (Replica r = Replica.open(path, PASSPHRASE, Replica.NO_CREATE)) {
      Record rec = r.get(id).orElseThrow();
      assertEquals(id, rec.id());
      assertEquals(ws, rec.workspace());
      assertEquals("concerns", rec.collection());
      assertFalse(rec.isDeleted());
      assertEquals(SUMMARY, rec.getString("summary"));
      assertEquals("Thôn Nà Lừa", rec.getString("hamlet"));
      assertEquals(received, rec.getInstant("received"));
      assertEquals(Long.valueOf(17), rec.getLong("households"));
      assertEquals(Boolean.TRUE, rec.getBoolean("urgent"));
      assertTrue(rec.conflicts().isEmpty());
      assertNull(rec.getString("households"));
    }
  }

  @Test
  public void aWrongPassphraseIsRefusedAndChangesNothing() {
    String path = store("b.db");
    try (Replica r = Replica.open(path, PASSPHRASE, Replica.KDF_INTERACTIVE)) {
      r.createWorkspace();
    }
    HamletException e =
        assertThrows(HamletException.class, () -> Replica.open(path, "not the passphrase", Replica.NO_CREATE));
    assertEquals(HamletException.DENIED, e.code());
    assertFalse(e.isRetryable());
    assertFalse(e.getMessage().isEmpty());
    try (Replica r = Replica.open(path, PASSPHRASE, Replica.NO_CREATE)) {
      assertEquals(1, r.workspaces().size());
    }
    HamletException missing =
        assertThrows(HamletException.class, () -> Replica.open(store("none.db"), PASSPHRASE, Replica.NO_CREATE));
    assertEquals(HamletException.NOT_FOUND, missing.code());
    HamletException shortPass =
        assertThrows(HamletException.class, () -> Replica.open(store("c.db"), "ngắn", Replica.KDF_INTERACTIVE));
    assertEquals(HamletException.INVALID, shortPass.code());
    assertEquals("invalid argument", shortPass.codeName());
    assertThrows(IllegalArgumentException.class, () -> Replica.openWithKey(store("d.db"), new byte[16], 0));
  }

  @Test
  public void updatesDeletesAndQueries() {
    try (Replica r = Replica.openWithKey(store("q.db"), key(1), Replica.RELAXED)) {
      String ws = r.createWorkspace();
      WriteBatch batch = new WriteBatch();
      String[] summaries = {SUMMARY, "Xin hỗ trợ giống lúa", "Tranh chấp đất đai giữa hai hộ", "Đèn đường hỏng"};
      for (int i = 0; i < summaries.length; i++) {
        batch.insert(
            "concerns",
            Fields.of().put("summary", summaries[i]).put("status", i % 2 == 0 ? "received" : "resolved").put("n", i));
      }
      List<String> ids = r.commit(ws, batch).insertedIds();
      assertEquals(4, ids.size());

      QueryResult received = r.find(Query.collection("concerns").workspace(ws).whereEquals("status", "received"));
      assertEquals(2, received.total());
      // Words without their diacritics find the text with them.
      QueryResult land = r.find(Query.collection("concerns").text("dat dai"));
      assertEquals(1, land.total());
      assertEquals(summaries[2], land.records().get(0).getString("summary"));
      QueryResult page = r.find(Query.collection("concerns").orderBy("n", true).offset(1).limit(2));
      assertEquals(4, page.total());
      assertEquals(2, page.records().size());
      assertEquals(Long.valueOf(2), page.records().get(0).getLong("n"));
      assertEquals(Long.valueOf(1), page.records().get(1).getLong("n"));

      r.commit(ws, new WriteBatch().update(ids.get(0), Fields.of().put("status", "resolved").putNull("n")));
      Record updated = r.get(ids.get(0)).orElseThrow();
      assertEquals("resolved", updated.getString("status"));
      assertNull(updated.get("n"));
      assertEquals(SUMMARY, updated.getString("summary"));
      assertEquals(1, r.find(Query.collection("concerns").whereEquals("status", "received")).total());

      r.commit(ws, new WriteBatch().delete(ids.get(3)));
      assertTrue(r.get(ids.get(3)).orElseThrow().isDeleted());
      r.commit(ws, new WriteBatch().restore(ids.get(3)));
      assertFalse(r.get(ids.get(3)).orElseThrow().isDeleted());

      // An id the app chose, the same on every device.
      String named = Replica.namedRecordId(ws, "settings", "vùng sâu vùng xa");
      assertEquals(named, Replica.namedRecordId(ws, "settings", "vùng sâu vùng xa"));
      assertNotEquals(named, Replica.namedRecordId(ws, "settings", "vung sau vung xa"));
      assertFalse(r.get(named).isPresent());
      r.commit(ws, new WriteBatch().insert("settings", named, Fields.of().put("value", "yes")));
      assertEquals("yes", r.get(named).orElseThrow().getString("value"));
    }
  }

  @Test
  public void badInputIsRefusedWithItsCode() {
    try (Replica r = Replica.openWithKey(store("e.db"), key(2), Replica.RELAXED)) {
      String ws = r.createWorkspace();
      HamletException notWs =
          assertThrows(
              HamletException.class,
              () -> r.commit("không phải", new WriteBatch().insert("c", Fields.of().put("a", "b"))));
      assertEquals(HamletException.INVALID, notWs.code());
      assertFalse(notWs.isRetryable());
      String missing = Replica.namedRecordId(ws, "concerns", "nobody");
      HamletException unknown =
          assertThrows(
              HamletException.class, () -> r.commit(ws, new WriteBatch().update(missing, Fields.of().put("a", 1))));
      assertEquals(HamletException.NOT_FOUND, unknown.code());
      assertThrows(HamletException.class, () -> r.commit(ws, new WriteBatch()));
      assertThrows(HamletException.class, () -> r.find(Query.collection("")));
      // Nothing of the refused commits was kept.
      assertEquals(0, r.find(Query.collection("c")).total());
      assertFalse(r.get(missing).isPresent());
      assertEquals(HamletException.INVALID, assertThrows(HamletException.class, () -> r.get("xyz")).code());
    }
  }

  @Test
  public void aClosedReplicaRefusesCallsAndClosingTwiceDoesNothing() {
    Replica r = Replica.openWithKey(store("f.db"), key(3), 0);
    String ws = r.createWorkspace();
    assertTrue(r.isOpen());
    r.close();
    r.close();
    assertFalse(r.isOpen());
    assertThrows(IllegalStateException.class, () -> r.stateDigest(ws));
    assertThrows(IllegalStateException.class, () -> new Hub(r, "http://127.0.0.1:1"));
    // The store is free again for another handle.
    try (Replica again = Replica.openWithKey(store("f.db"), key(3), Replica.NO_CREATE)) {
      assertEquals(List.of(ws), again.workspaces());
    }
  }

  @Test
  public void bundlesCarryCommitsAndConcurrentWritesShowAsConflicts() {
    try (Replica admin = Replica.openWithKey(store("admin.db"), key(4), Replica.RELAXED);
        Replica cadre = Replica.openWithKey(store("cadre.db"), key(5), Replica.RELAXED)) {
      String ws = admin.createWorkspace();
      // Enrollment by SD card: the request one way, the envelope back.
      byte[] envelope = admin.admit(ws, cadre.joinRequest(), Role.CADRE);
      HamletException forged =
          assertThrows(HamletException.class, () -> cadre.accept(envelope, cadre.deviceId()));
      assertEquals(HamletException.DENIED, forged.code());
      assertEquals(ws, cadre.accept(envelope, admin.deviceId()));

      String id =
          admin.commit(ws, new WriteBatch().insert("concerns", Fields.of().put("summary", SUMMARY))).insertedIds().get(0);
      BundleImport in = cadre.importBundle(admin.exportBundle(ws, cadre.cursor(ws)));
      assertEquals(ws, in.workspace());
      assertTrue(in.applied() >= 1);
      assertEquals(0, in.setAside());
      assertEquals(SUMMARY, cadre.get(id).orElseThrow().getString("summary"));
      BundleImport again = cadre.importBundle(admin.exportBundle(ws, ""));
      assertEquals(0, again.applied());

      // Both change the status offline; after exchanging bundles both show the same winner and the other value.
      admin.commit(ws, new WriteBatch().update(id, Fields.of().put("status", "đang giải quyết")));
      cadre.commit(ws, new WriteBatch().update(id, Fields.of().put("status", "đã giải quyết")));
      cadre.importBundle(admin.exportBundle(ws, cadre.cursor(ws)));
      admin.importBundle(cadre.exportBundle(ws, admin.cursor(ws)));
      assertEquals(admin.stateDigest(ws), cadre.stateDigest(ws));
      List<Conflict> conflicts = admin.conflicts(ws);
      assertEquals(1, conflicts.size());
      Conflict c = conflicts.get(0);
      assertEquals(id, c.recordId());
      assertEquals("status", c.field());
      Set<Object> values = new HashSet<>(c.others());
      values.add(c.winner());
      assertEquals(Set.of("đang giải quyết", "đã giải quyết"), values);
      Record rec = cadre.get(id).orElseThrow();
      assertEquals(c.winner(), rec.getString("status"));
      assertEquals(c.others(), rec.conflicts().get("status"));

      assertThrows(HamletException.class, () -> cadre.importBundle(new byte[] {1, 2, 3}));
    }
  }

  @Test
  public void aSealedReporterIsReadOnlyByOfficers() {
    try (Replica admin = Replica.openWithKey(store("s-admin.db"), key(6), Replica.RELAXED);
        Replica cadre = Replica.openWithKey(store("s-cadre.db"), key(7), Replica.RELAXED)) {
      String ws = admin.createWorkspace();
      cadre.accept(admin.admit(ws, cadre.joinRequest(), Role.CADRE), admin.deviceId());
      String sealed = cadre.sealForOfficers(ws, "Nguyễn Thị Hoà, xóm Đồi");
      assertTrue(Replica.isSealed(sealed));
      assertFalse(Replica.isSealed("Nguyễn Thị Hoà"));
      assertFalse(sealed.contains("Hoà"));
      assertEquals("Nguyễn Thị Hoà, xóm Đồi", admin.unseal(ws, sealed));
      HamletException e = assertThrows(HamletException.class, () -> cadre.unseal(ws, sealed));
      assertEquals(HamletException.DENIED, e.code());
    }
  }

  @Test
  public void threadsWriteAtOnceAndCloseWaitsForThem() throws Exception {
    Replica r = Replica.openWithKey(store("t.db"), key(8), Replica.RELAXED);
    String ws = r.createWorkspace();
    int threads = 4;
    int each = 50;
    List<Thread> writers = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Map<Integer, Integer> written = new HashMap<>();
    for (int t = 0; t < threads; t++) {
      int n = t;
      Thread w =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < each; i++) {
                    r.commit(ws, new WriteBatch().insert("notes", Fields.of().put("thread", n).put("i", i)));
                  }
                } catch (Throwable e) {
                  failure.set(e);
                }
              });
      writers.add(w);
      w.start();
    }
    for (Thread w : writers) w.join();
    if (failure.get() != null) throw new AssertionError(failure.get());
    assertEquals(threads * each, r.find(Query.collection("notes")).total());
    for (int t = 0; t < threads; t++) written.put(t, (int) r.find(Query.collection("notes").whereEquals("thread", t)).total());
    assertEquals(Map.of(0, each, 1, each, 2, each, 3, each), written);

    // A reader keeps going while another thread closes: each call either ends normally or meets a closed replica.
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                while (true) {
                  r.find(Query.collection("notes").limit(5));
                  started.countDown();
                }
              } catch (IllegalStateException closed) {
                // The end this test waits for.
              } catch (Throwable e) {
                unexpected.set(e);
              }
            });
    reader.start();
    started.await();
    r.close();
    reader.join();
    if (unexpected.get() != null) throw new AssertionError(unexpected.get());
  }

  @Test
  public void theVersionIsTheEngines() {
    assertEquals(Hamlet.versionNumber() / 1000000 + "." + Hamlet.versionNumber() / 1000 % 1000 + "."
        + Hamlet.versionNumber() % 1000, Hamlet.version());
  }

  static byte[] key(int seed) {
    byte[] k = new byte[32];
    for (int i = 0; i < 32; i++) k[i] = (byte) (seed * 31 + i);
    return k;
  }
}
