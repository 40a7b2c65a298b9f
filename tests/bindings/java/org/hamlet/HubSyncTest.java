package org.hamlet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The binding against a real hamlet-hub process (its path in the system property hamlet.hub): an admin publishes a
 * workspace and invites a cadre, who joins through the hub, records in Vietnamese and syncs in the background; the
 * admin pulls and reads it back; syncs are cancelled, stopped by a listener, refused after revocation and given up
 * when the hub is gone.
 */
public class HubSyncTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder(new File(System.getProperty("hamlet.scratch", ".")));

  private Process hub;
  private String url;
  private String token;

  @Before
  public void startHub() throws Exception {
    String binary = System.getProperty("hamlet.hub");
    File data = tmp.newFolder("hub");
    Process create = new ProcessBuilder(binary, "token", "create", "--data", data.getPath()).start();
    token = firstLine(create.getInputStream());
    assertEquals(0, create.waitFor());
    hub =
        new ProcessBuilder(binary, "serve", "--data", data.getPath(), "--listen", "127.0.0.1:0")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    InputStream out = hub.getInputStream();
    String line = firstLine(out);
    assertTrue(line, line.startsWith("hamlet-hub listening on "));
    url = "http://" + line.substring("hamlet-hub listening on ".length());
    Thread drain =
        new Thread(
            () -> {
              try {
                out.transferTo(java.io.OutputStream.nullOutputStream());
              } catch (java.io.IOException ignored) {
                // The hub ended.
              }
            });
    drain.setDaemon(true);
    drain.start();
  }

  @After
  public void stopHub() throws Exception {
    if (hub != null) {
      hub.destroy();
      hub.waitFor();
    }
  }

  /** What a listener saw, and on which threads. */
  static final class Recorder implements SyncListener {
    final List<String> phases = Collections.synchronizedList(new ArrayList<>());
    final Set<String> threads = Collections.synchronizedSet(new HashSet<>());
    volatile long maxCommits;
    volatile int linkDowns;

    @Override
    public void onProgress(String phase, long commits, long bytes, long retries) {
      phases.add(phase);
      threads.add(Thread.currentThread().getName());
      if (commits > maxCommits) maxCommits = commits;
    }

    @Override
    public void onLinkDown(long waitingMillis, long giveUpMillis) {
      threads.add(Thread.currentThread().getName());
      linkDowns++;
    }
  }

  @Test
  public void aCadreJoinsRecordsAndSyncsAndTheAdminReadsItBack() throws Exception {
    try (Replica admin = Replica.openWithKey(store("admin.db"), ReplicaTest.key(11), Replica.RELAXED);
        Replica cadre = Replica.openWithKey(store("cadre.db"), ReplicaTest.key(12), Replica.RELAXED)) {
      String ws = admin.createWorkspace();
      Hub adminHub = new Hub(admin, url);
      Hub cadreHub = new Hub(cadre, url);
      HamletException badToken = assertThrows(HamletException.class, () -> adminHub.publish(ws, "sai"));
      assertEquals(HamletException.DENIED, badToken.code());
      adminHub.publish(ws, token);

      // The cadre joins with an invite code; until the admin admits it, completing is a retryable refusal.
      JoinRequest join = cadreHub.requestJoin(admin.createInvite(ws, Role.CADRE));
      assertEquals(ws, join.workspace());
      HamletException early = assertThrows(HamletException.class, () -> cadreHub.completeJoin(join));
      assertEquals(HamletException.UNAVAILABLE, early.code());
      assertTrue(early.isRetryable());
      Hub.Admission admission = adminHub.admitPending(ws);
      assertEquals(1, admission.admitted());
      assertEquals(0, admission.refused());
      cadreHub.completeJoin(join);
      assertEquals(List.of(ws), cadre.workspaces());

      // The cadre records offline, then syncs in the background: small pages, so progress comes many times.
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        ids.addAll(
            cadre
                .commit(
                    ws,
                    new WriteBatch()
                        .insert(
                            "concerns",
                            Fields.of().put("summary", ReplicaTest.SUMMARY + " #" + i).put("hamlet", "Thôn Khuổi Hẻo")))
                .insertedIds());
      }
      cadreHub.setPageBytes(4096);
      Recorder seen = new Recorder();
      CompletableFuture<SyncReport> pending = cadreHub.syncAsync(ws, seen);
      SyncReport up = pending.get();
      assertEquals(40, up.pushed());
      assertTrue(up.requests() > 1);
      assertTrue(up.bytesUp() > 0);
      assertTrue(seen.phases.contains("push"));
      assertEquals(40, seen.maxCommits);
      assertEquals(Set.of("hamlet-sync"), seen.threads);

      // The admin syncs on its own thread and reads the Vietnamese text back; its first pull asks for the last 7 days
      // first, and all 40 are that recent, so nothing older is left.
      assertThrows(HamletException.class, () -> adminHub.setRecentFirst(-1, true));
      adminHub.setRecentFirst(7, false);
      SyncReport down = adminHub.sync(ws);
      assertEquals(0, adminHub.olderLeft(ws));
      assertEquals(40, down.pulled());
      assertEquals(40, down.applied());
      assertEquals(ReplicaTest.SUMMARY + " #7", admin.get(ids.get(7)).orElseThrow().getString("summary"));
      QueryResult found = admin.find(Query.collection("concerns").workspace(ws).text("khuoi heo"));
      assertEquals(40, found.total());
      assertEquals(admin.stateDigest(ws), cadre.stateDigest(ws));

      // The admin resolves one; the cadre's sync, its listener's calls handed to the app's own thread, brings it.
      admin.commit(ws, new WriteBatch().update(ids.get(3), Fields.of().put("status", "đã giải quyết")));
      adminHub.sync(ws);
      ExecutorService appThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-main"));
      Recorder posted = new Recorder();
      SyncReport pulled = cadreHub.syncAsync(ws, posted, appThread).get();
      appThread.shutdown();
      assertTrue(appThread.awaitTermination(1, TimeUnit.MINUTES));
      assertEquals(1, pulled.pulled());
      assertEquals(Set.of("app-main"), posted.threads);
      assertEquals("đã giải quyết", cadre.get(ids.get(3)).orElseThrow().getString("status"));

      // The cadre photographs the resident's letter: the sync sends it; the admin sees the reference, fetches the
      // file when opening it, and gets the same bytes.
      byte[] photo = new byte[150_000];
      new java.util.Random(5).nextBytes(photo);
      Attachment attached = cadre.attach(ws, ids.get(5), photo, "đơn-thư.jpg", "image/jpeg");
      assertTrue(attached.held());
      assertFalse(attached.sent());
      assertEquals(1, cadreHub.sync(ws).filesSent());
      adminHub.sync(ws);
      List<Attachment> listed = admin.attachments(ws, ids.get(5));
      assertEquals(1, listed.size());
      assertEquals("đơn-thư.jpg", listed.get(0).name());
      assertEquals(photo.length, listed.get(0).size());
      assertFalse(listed.get(0).held());
      HamletException notHere =
          assertThrows(HamletException.class, () -> admin.readAttachment(attached.id()));
      assertEquals(HamletException.PRECONDITION, notHere.code());
      adminHub.fetchAttachment(ws, attached.id());
      assertTrue(java.util.Arrays.equals(photo, admin.readAttachment(attached.id())));
      cadre.dropAttachment(attached.id());
      assertTrue(cadre.attachments(ws, null).isEmpty());
    }
  }

  @Test
  public void syncsAreCancelledStoppedByTheListenerAndRefusedAfterRevocation() throws Exception {
    try (Replica admin = Replica.openWithKey(store("admin2.db"), ReplicaTest.key(13), Replica.RELAXED);
        Replica cadre = Replica.openWithKey(store("cadre2.db"), ReplicaTest.key(14), Replica.RELAXED)) {
      String ws = admin.createWorkspace();
      Hub adminHub = new Hub(admin, url);
      Hub cadreHub = new Hub(cadre, url);
      adminHub.publish(ws, token);
      JoinRequest join = cadreHub.requestJoin(admin.createInvite(ws, Role.CADRE));
      adminHub.admitPending(ws);
      cadreHub.completeJoin(join);
      for (int i = 0; i < 5; i++) {
        cadre.commit(ws, new WriteBatch().insert("notes", Fields.of().put("text", "Họp dân lần " + i)));
      }

      // Cancelled from the listener, as an app's Cancel button would: a retryable CANCELLED, nothing lost.
      CompletableFuture<SyncReport> cancelled =
          cadreHub.syncAsync(
              ws,
              new SyncListener() {
                @Override
                public void onProgress(String phase, long commits, long bytes, long retries) {
                  cadreHub.cancel();
                }
              });
      ExecutionException e = assertThrows(ExecutionException.class, cancelled::get);
      HamletException why = (HamletException) e.getCause();
      assertEquals(HamletException.CANCELLED, why.code());
      assertTrue(why.isRetryable());

      // A listener that throws stops the sync, and its own exception comes out.
      IllegalStateException mine = new IllegalStateException("the app stops here");
      IllegalStateException thrown =
          assertThrows(
              IllegalStateException.class,
              () ->
                  cadreHub.sync(
                      ws,
                      new SyncListener() {
                        @Override
                        public void onProgress(String phase, long commits, long bytes, long retries) {
                          throw mine;
                        }
                      }));
      assertSame(mine, thrown);

      // The next sync goes on and pushes everything.
      assertEquals(5, cadreHub.sync(ws).pushed());
      assertEquals(5, adminHub.sync(ws).applied());

      // Revoked: the cadre's next sync is refused for good.
      adminHub.revoke(ws, cadre.deviceId());
      cadre.commit(ws, new WriteBatch().insert("notes", Fields.of().put("text", "sau khi bị thu hồi")));
      HamletException revoked = assertThrows(HamletException.class, () -> cadreHub.sync(ws));
      assertEquals(HamletException.DENIED, revoked.code());
      assertFalse(revoked.isRetryable());
    }
  }

  @Test
  public void aHubThatIsGoneIsARetryableFailureAndClosingTheReplicaClosesItsHubs() throws Exception {
    Replica admin = Replica.openWithKey(store("admin3.db"), ReplicaTest.key(15), Replica.RELAXED);
    String ws = admin.createWorkspace();
    Hub adminHub = new Hub(admin, url);
    adminHub.publish(ws, token);
    admin.commit(ws, new WriteBatch().insert("notes", Fields.of().put("text", "Ghi chép")));
    assertEquals(1, adminHub.sync(ws).pushed());

    hub.destroy();
    hub.waitFor();
    hub = null;
    admin.commit(ws, new WriteBatch().insert("notes", Fields.of().put("text", "Khi mất sóng")));
    adminHub.setGiveUpAfter(1000);
    Recorder seen = new Recorder();
    HamletException down = assertThrows(HamletException.class, () -> adminHub.sync(ws, seen));
    assertEquals(HamletException.UNAVAILABLE, down.code());
    assertTrue(down.isRetryable());
    assertTrue(seen.linkDowns > 0);
    assertThrows(HamletException.class, () -> adminHub.setGiveUpAfter(10));
    assertEquals(
        HamletException.INVALID, assertThrows(HamletException.class, () -> new Hub(admin, "ftp://hub")).code());

    admin.close();
    assertThrows(IllegalStateException.class, () -> adminHub.sync(ws));
    assertThrows(IllegalStateException.class, () -> adminHub.syncAsync(ws, null));
    adminHub.close();
  }

  private String store(String name) {
    return new File(tmp.getRoot(), name).getPath();
  }

  private static String firstLine(InputStream in) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null) throw new AssertionError("the hub printed nothing");
    return line.trim();
  }
}
