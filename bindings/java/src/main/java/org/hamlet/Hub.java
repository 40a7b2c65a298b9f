package org.hamlet;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The ready-made transport from one replica to one hub (a handle over {@code hamlet_hub} of {@code hamlet_http.h}).
 * It keeps its connection and session between calls.
 *
 * <p>Calls block until done or failed, trying again with backoff on a dropped link for as long as something moves
 * (see {@link #setGiveUpAfter}): call them off the UI thread, or use {@link #syncAsync}, which runs on the hub's own
 * background thread. Thread safety: a Hub may be used from several threads; its calls run one at a time.
 * {@link #cancel()} may be called from any thread. Closing the replica closes its hubs.
 */
public final class Hub implements AutoCloseable {
  static {
    NativeLibrary.load();
  }

  private final Replica replica;
  private final Object callLock = new Object();
  private final Object handleLock = new Object();
  private long handle;
  private volatile boolean closing;
  private ExecutorService background;

  /** A transport from replica to the hub at url ("http://host:port" or "https://host:port"); no connection yet. */
  public Hub(Replica replica, String url) {
    this.replica = Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(url, "url");
    long r = replica.enter();
    try {
      handle = nativeOpen(r, url);
      replica.addHub(this);
    } finally {
      replica.leave();
    }
  }

  /** A PEM bundle of the certificate authority that signs the hub's certificate; null returns to the system's. */
  public void setCaFile(String path) {
    call(h -> nativeSetCaFile(h, path));
  }

  /** The largest page of pushes and pulls in bytes (4 KiB to 16 MiB; default 256 KiB). */
  public void setPageBytes(long bytes) {
    call(h -> nativeSetPageBytes(h, bytes));
  }

  /**
   * How long a sync goes on trying when nothing moves (default 120000 ms; at least 1000): after that it fails with
   * a retryable {@link HamletException#UNAVAILABLE}, and the next sync continues where it stopped.
   */
  public void setGiveUpAfter(long millis) {
    call(h -> nativeSetGiveUpAfter(h, millis));
  }

  /**
   * Recent first: with days above 0, a device's first pull of a workspace that does not start from a snapshot
   * begins with what the hub stored in the last days days, so the recent records are there within minutes, and
   * pulls the older part after its push (progress phase "older"): in the same sync when older is true, else in later
   * ones. 0 (the default) pulls in order.
   */
  public void setRecentFirst(int days, boolean older) {
    call(h -> nativeSetRecentFirst(h, days, older));
  }

  /** How many positions of the hub's log older than the recent ones are left to pull for workspace (0: none). */
  public long olderLeft(String workspace) {
    Objects.requireNonNull(workspace, "workspace");
    long[] out = new long[1];
    call(h -> out[0] = nativeOlderLeft(h, workspace));
    return out[0];
  }

  /** Pushes this device's commits the hub lacks, then pulls until caught up, on the calling thread. */
  public SyncReport sync(String workspace) {
    return sync(workspace, null);
  }

  /**
   * As {@link #sync(String)}, telling listener of progress and of the link on the calling thread (a listener that
   * throws stops the sync and its exception comes out of this call).
   */
  public SyncReport sync(String workspace, SyncListener listener) {
    Objects.requireNonNull(workspace, "workspace");
    long[] report = new long[10];
    call(h -> nativeSync(h, workspace, listener, report));
    return new SyncReport(report);
  }

  /**
   * Syncs on this hub's background thread and returns at once. The listener (may be null) is called on that thread;
   * the future completes with the report, or exceptionally with the {@link HamletException} (or the listener's
   * exception). Cancelling the future stops the sync as {@link #cancel()} does.
   */
  public CompletableFuture<SyncReport> syncAsync(String workspace, SyncListener listener) {
    return syncAsync(workspace, listener, null);
  }

  /**
   * As {@link #syncAsync(String, SyncListener)}, with the listener's calls handed to callbackExecutor (such as an
   * Android app's main-thread executor) so that the sync never waits for them. A listener called this way that
   * throws does not stop the sync: the executor sees its exception.
   */
  public CompletableFuture<SyncReport> syncAsync(String workspace, SyncListener listener, Executor callbackExecutor) {
    Objects.requireNonNull(workspace, "workspace");
    SyncListener l = listener;
    if (listener != null && callbackExecutor != null) l = new PostingListener(listener, callbackExecutor);
    SyncTask task = new SyncTask(workspace, l);
    synchronized (handleLock) {
      if (handle == 0 || closing) throw new IllegalStateException("the hub is closed");
      if (background == null) {
        background =
            Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "hamlet-sync");
                  t.setDaemon(true);
                  return t;
                });
      }
      background.execute(task);
    }
    CompletableFuture<SyncReport> future = task.future;
    future.whenComplete(
        (report, error) -> {
          if (future.isCancelled()) cancel();
        });
    return future;
  }

  /**
   * Stops the sync running on this hub, from any thread or from its listener: it ends at once with a retryable
   * {@link HamletException#CANCELLED}, having kept what arrived for the next sync to go on from. Does nothing when
   * no sync runs.
   */
  public void cancel() {
    synchronized (handleLock) {
      if (handle != 0) nativeCancel(handle);
    }
  }

  /**
   * Fetches the file of one attachment of workspace now (progress is not told), going on from where an earlier
   * fetch stopped; nothing when this device holds it. A hub that serves other bytes than the reference names is
   * refused with {@link HamletException#DATA_LOSS} and nothing of them is kept; {@link HamletException#PRECONDITION}
   * while the hub lacks part of the file.
   */
  public void fetchAttachment(String workspace, String attachment) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(attachment, "attachment");
    call(h -> nativeFetchAttachment(h, workspace, attachment));
  }

  /** As the workspace's admin: publishes it on the hub with a token from the hub's operator. */
  public void publish(String workspace, String token) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(token, "token");
    call(h -> nativePublish(h, workspace, token));
  }

  /** As the workspace's admin: registers a member device (hex id) so it can sync. */
  public void registerDevice(String workspace, String device) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(device, "device");
    call(h -> nativeRegisterDevice(h, workspace, device));
  }

  /** As the workspace's admin: admits the devices whose join requests carry a valid invite. */
  public Admission admitPending(String workspace) {
    Objects.requireNonNull(workspace, "workspace");
    long[] counts = new long[2];
    call(h -> nativeAdmitPending(h, workspace, counts));
    return new Admission(counts[0], counts[1]);
  }

  /** As the workspace's admin: revokes a device and rotates the workspace's key. */
  public void revoke(String workspace, String device) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(device, "device");
    call(h -> nativeRevoke(h, workspace, device));
  }

  /** On a new device: posts the join request for an invite code made by {@link Replica#createInvite}. */
  public JoinRequest requestJoin(String code) {
    Objects.requireNonNull(code, "code");
    String[] out = new String[2];
    call(h -> nativeRequestJoin(h, code, out));
    return new JoinRequest(out[0], out[1]);
  }

  /**
   * Finishes a join: a retryable {@link HamletException#UNAVAILABLE} until the admin has admitted this device, so an
   * app tries again later.
   */
  public void completeJoin(JoinRequest request) {
    Objects.requireNonNull(request, "request");
    call(h -> nativeCompleteJoin(h, request.workspace(), request.invite()));
  }

  /**
   * Stops a running sync, fails the syncs still queued by {@link #syncAsync}, waits for calls in progress and
   * releases the handle. Closing twice does nothing. Not from this hub's own listener (which runs inside a call):
   * that throws {@link IllegalStateException}; call {@link #cancel()} there.
   */
  @Override
  public void close() {
    if (Thread.holdsLock(callLock)) throw new IllegalStateException("a hub cannot be closed from its own listener");
    closing = true;
    cancel();
    ExecutorService bg;
    synchronized (handleLock) {
      bg = background;
      background = null;
    }
    if (bg != null) {
      for (Runnable queued : bg.shutdownNow()) ((SyncTask) queued).abandon();
    }
    boolean entered = replica.tryEnter();
    try {
      synchronized (callLock) {
        release();
      }
    } finally {
      if (entered) replica.leave();
    }
    replica.removeHub(this);
    if (bg != null) {
      try {
        bg.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Frees the native handle. Called with no call running on it: from close(), or by Replica.close(). */
  void release() {
    synchronized (handleLock) {
      if (handle != 0) nativeClose(handle);
      handle = 0;
    }
  }

  /** What {@link #admitPending} did. */
  public static final class Admission {
    private final long admitted;
    private final long refused;

    Admission(long admitted, long refused) {
      this.admitted = admitted;
      this.refused = refused;
    }

    public long admitted() {
      return admitted;
    }

    /** Join requests whose invite was unknown, used, expired or forged. */
    public long refused() {
      return refused;
    }
  }

  /** One sync queued by syncAsync, and the future it completes. */
  private final class SyncTask implements Runnable {
    final CompletableFuture<SyncReport> future = new CompletableFuture<>();
    private final String workspace;
    private final SyncListener listener;

    SyncTask(String workspace, SyncListener listener) {
      this.workspace = workspace;
      this.listener = listener;
    }

    @Override
    public void run() {
      if (future.isDone()) return;
      try {
        future.complete(sync(workspace, listener));
      } catch (Throwable t) {
        future.completeExceptionally(t);
      }
    }

    void abandon() {
      future.completeExceptionally(new IllegalStateException("the hub was closed before this sync started"));
    }
  }

  private interface NativeCall {
    void run(long handle);
  }

  /** Runs one native call with the replica held open and no other call of this hub running. */
  private void call(NativeCall c) {
    replica.enter();
    try {
      synchronized (callLock) {
        long h;
        synchronized (handleLock) {
          h = handle;
        }
        if (h == 0 || closing) throw new IllegalStateException("the hub is closed");
        c.run(h);
      }
    } finally {
      replica.leave();
    }
  }

  /** Hands each call to an executor, so that the sync does not wait for the app's thread. */
  private static final class PostingListener implements SyncListener {
    private final SyncListener target;
    private final Executor executor;

    PostingListener(SyncListener target, Executor executor) {
      this.target = target;
      this.executor = executor;
    }

    @Override
    public void onProgress(String phase, long commits, long bytes, long retries) {
      executor.execute(() -> target.onProgress(phase, commits, bytes, retries));
    }

    @Override
    public void onLinkDown(long waitingMillis, long giveUpMillis) {
      executor.execute(() -> target.onLinkDown(waitingMillis, giveUpMillis));
    }

    @Override
    public void onLinkUp() {
      executor.execute(target::onLinkUp);
    }
  }

  private static native long nativeOpen(long replica, String url);

  private static native void nativeClose(long handle);

  private static native void nativeSetCaFile(long handle, String path);

  private static native void nativeSetPageBytes(long handle, long bytes);

  private static native void nativeSetGiveUpAfter(long handle, long millis);

  private static native void nativeSetRecentFirst(long handle, int days, boolean older);

  private static native long nativeOlderLeft(long handle, String workspace);

  private static native void nativeSync(long handle, String workspace, SyncListener listener, long[] report);

  private static native void nativeCancel(long handle);

  private static native void nativeFetchAttachment(long handle, String workspace, String attachment);

  private static native void nativePublish(long handle, String workspace, String token);

  private static native void nativeRegisterDevice(long handle, String workspace, String device);

  private static native void nativeAdmitPending(long handle, String workspace, long[] counts);

  private static native void nativeRevoke(long handle, String workspace, String device);

  private static native void nativeRequestJoin(long handle, String code, String[] out);

  private static native void nativeCompleteJoin(long handle, String workspace, String invite);
}
