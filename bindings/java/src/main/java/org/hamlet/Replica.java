package org.hamlet;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An encrypted replica store on this device: a handle over {@code hamlet_replica} of the C API.
 *
 * <p>Thread safety: a Replica may be used from several threads; the engine serialises calls on one replica, so a
 * long import delays other calls. {@link #close()} waits for calls in progress, closes the replica's {@link Hub}s
 * first (stopping their syncs), and makes every later call throw {@link IllegalStateException}. Close it (try with
 * resources) when done: the store stays locked by this process until then.
 */
public final class Replica implements AutoCloseable {
  static {
    NativeLibrary.load();
  }

  /** Fail with {@link HamletException#NOT_FOUND} when there is no store at the path. */
  public static final int NO_CREATE = 0x1;
  /** Do not sync every commit to disk: faster; may lose the last commits on power loss, never on a crash. */
  public static final int RELAXED = 0x2;
  /** A store made now uses Argon2id's interactive limits (64 MiB, for phones) instead of the moderate ones. */
  public static final int KDF_INTERACTIVE = 0x4;
  /** Imports check signatures and seals on the calling thread only, leaving other cores to the app. */
  public static final int ONE_THREAD = 0x8;
  /** Each local commit reaches SQLite on its own: for a store other processes open at the same time. */
  public static final int UNGROUPED = 0x10;

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Set<Hub> hubs = new LinkedHashSet<>();
  private long handle;

  private Replica(long handle) {
    this.handle = handle;
  }

  /**
   * Opens the store at path, creating it unless {@link #NO_CREATE} is given. A wrong passphrase throws
   * {@link HamletException#DENIED} and changes nothing; a new store's passphrase needs at least 8 characters.
   */
  public static Replica open(String path, String passphrase, int flags) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(passphrase, "passphrase");
    return new Replica(nativeOpen(path, passphrase, flags));
  }

  /** Opens the store with a 32-byte key the app keeps (for instance in the Android Keystore) instead of a passphrase. */
  public static Replica openWithKey(String path, byte[] key, int flags) {
    Objects.requireNonNull(path, "path");
    if (key == null || key.length != 32) throw new IllegalArgumentException("the key has 32 bytes");
    return new Replica(nativeOpenWithKey(path, key, flags));
  }

  /** This device's id (hex). */
  public String deviceId() {
    long h = enter();
    try {
      return nativeDeviceId(h);
    } finally {
      leave();
    }
  }

  /** Creates a workspace with this device as its admin; returns its id. */
  public String createWorkspace() {
    long h = enter();
    try {
      return nativeCreateWorkspace(h);
    } finally {
      leave();
    }
  }

  /** The workspaces this device is a member of. */
  public List<String> workspaces() {
    long h = enter();
    try {
      return Answers.texts(nativeWorkspaces(h));
    } finally {
      leave();
    }
  }

  /**
   * As the workspace's admin: an invite code (text fit for a QR code) for one device of the given role, valid for 7
   * days. The new device passes it to {@link Hub#requestJoin}.
   */
  public String createInvite(String workspace, Role role) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(role, "role");
    long h = enter();
    try {
      return nativeCreateInvite(h, workspace, role.code);
    } finally {
      leave();
    }
  }

  /**
   * This device's request to join a workspace, for the admin's {@link #admit} when there is no hub between them (the
   * request travels by SD card or cable; it holds no secret).
   */
  public byte[] joinRequest() {
    long h = enter();
    try {
      return nativeJoinRequest(h);
    } finally {
      leave();
    }
  }

  /**
   * As the workspace's admin: admits the device whose join request this is, with a role; returns the envelope to
   * carry back to it for {@link #accept}.
   */
  public byte[] admit(String workspace, byte[] request, Role role) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(role, "role");
    long h = enter();
    try {
      return nativeAdmit(h, workspace, request, role.code);
    } finally {
      leave();
    }
  }

  /**
   * Joins the workspace an envelope from {@link #admit} admits this device to. adminDevice is the admin's device id,
   * learnt from the admin in person; an envelope signed by anyone else is {@link HamletException#DENIED}. Returns the
   * workspace.
   */
  public String accept(byte[] envelope, String adminDevice) {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(adminDevice, "adminDevice");
    long h = enter();
    try {
      return nativeAccept(h, envelope, adminDevice);
    } finally {
      leave();
    }
  }

  /**
   * Records the batch as one commit in workspace. Once it returns, the commit survives the app ending (and a power
   * cut, unless opened {@link #RELAXED}).
   */
  public CommitResult commit(String workspace, WriteBatch batch) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(batch, "batch");
    long h = enter();
    try {
      return new CommitResult(Answers.map(nativeCommit(h, workspace, batch.operations())));
    } finally {
      leave();
    }
  }

  /** The record with this id, deleted or not; empty when this replica has no such record. */
  public Optional<Record> get(String id) {
    Objects.requireNonNull(id, "id");
    long h = enter();
    try {
      Object json = nativeGet(h, id);
      return json == null ? Optional.empty() : Optional.of(new Record(Answers.map(json)));
    } finally {
      leave();
    }
  }

  public QueryResult find(Query query) {
    Objects.requireNonNull(query, "query");
    long h = enter();
    try {
      return new QueryResult(Answers.map(nativeFind(h, query.toMap())));
    } finally {
      leave();
    }
  }

  /** The fields of workspace written concurrently whose losing values nobody has settled yet. */
  public List<Conflict> conflicts(String workspace) {
    Objects.requireNonNull(workspace, "workspace");
    long h = enter();
    try {
      List<Conflict> out = new ArrayList<>();
      for (Object c : Answers.list(nativeConflicts(h, workspace))) out.add(new Conflict(Answers.map(c)));
      return out;
    } finally {
      leave();
    }
  }

  /** A digest (hex) of the workspace's merged state: equal on two replicas that hold the same commits. */
  public String stateDigest(String workspace) {
    Objects.requireNonNull(workspace, "workspace");
    long h = enter();
    try {
      return nativeStateDigest(h, workspace);
    } finally {
      leave();
    }
  }

  /**
   * The record id that name stands for in collection of workspace, the same on every device: for an app with keys
   * of its own, which inserts with this id when {@link #get} finds nothing and updates it otherwise.
   */
  public static String namedRecordId(String workspace, String collection, String name) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(name, "name");
    return nativeNamedRecordId(workspace, collection, name);
  }

  /**
   * Confidential text, such as a denunciation's reporter: a text value only the workspace's admin and officer
   * devices can read. Store it in a field like any other text.
   */
  public String sealForOfficers(String workspace, String text) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(text, "text");
    long h = enter();
    try {
      return nativeSeal(h, workspace, text);
    } finally {
      leave();
    }
  }

  /** Reads a sealed value; {@link HamletException#DENIED} when this device is not among its readers. */
  public String unseal(String workspace, String sealed) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(sealed, "sealed");
    long h = enter();
    try {
      return nativeUnseal(h, workspace, sealed);
    } finally {
      leave();
    }
  }

  /** True when value has the form of a sealed value. */
  public static boolean isSealed(String value) {
    return value != null && nativeIsSealed(value);
  }

  /** What this replica holds of workspace, for a peer to export against. */
  public String cursor(String workspace) {
    Objects.requireNonNull(workspace, "workspace");
    long h = enter();
    try {
      return nativeCursor(h, workspace);
    } finally {
      leave();
    }
  }

  /**
   * A bundle file of everything of workspace a peer at peerCursor lacks ("" for everything), to carry where there
   * is no link (an SD card). It is sealed and signed: anyone may carry it.
   */
  public byte[] exportBundle(String workspace, String peerCursor) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(peerCursor, "peerCursor");
    long h = enter();
    try {
      return nativeExportBundle(h, workspace, peerCursor);
    } finally {
      leave();
    }
  }

  /** Imports a bundle file; importing one twice changes nothing. A damaged bundle is refused whole. */
  public BundleImport importBundle(byte[] bundle) {
    Objects.requireNonNull(bundle, "bundle");
    long h = enter();
    try {
      return new BundleImport(Answers.map(nativeImportBundle(h, bundle)));
    } finally {
      leave();
    }
  }

  /**
   * Seals bytes (at most 1 GiB; a hub takes 20 MB unless its operator says otherwise) on this device and attaches
   * them to record, a record of workspace, under name (such as "don-thu.jpg") and a media type ("image/jpeg"; null
   * for application/octet-stream). The next {@link Hub#sync} sends them.
   */
  public Attachment attach(String workspace, String record, byte[] bytes, String name, String type) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(name, "name");
    long h = enter();
    try {
      return new Attachment(Answers.map(nativeAttach(h, workspace, record, bytes, name, type == null ? "" : type)));
    } finally {
      leave();
    }
  }

  /** The attachments of workspace not dropped, of one record (or of all when record is null), oldest first. */
  public List<Attachment> attachments(String workspace, String record) {
    Objects.requireNonNull(workspace, "workspace");
    long h = enter();
    try {
      List<Attachment> out = new ArrayList<>();
      Object all = nativeAttachments(h, workspace, record == null ? "" : record);
      for (Object a : Answers.list(all)) out.add(new Attachment(Answers.map(a)));
      return out;
    } finally {
      leave();
    }
  }

  /**
   * The file's bytes, each chunk checked and opened. Throws {@link HamletException} with code {@link HamletException#PRECONDITION}
   * while this device does not hold it: fetch it with {@link Hub#fetchAttachment} first.
   */
  public byte[] readAttachment(String attachment) {
    Objects.requireNonNull(attachment, "attachment");
    long h = enter();
    try {
      return nativeReadAttachment(h, attachment);
    } finally {
      leave();
    }
  }

  /** Detaches the file from its record; its bytes leave this device once a hub holds them. */
  public void dropAttachment(String attachment) {
    Objects.requireNonNull(attachment, "attachment");
    long h = enter();
    try {
      nativeDropAttachment(h, attachment);
    } finally {
      leave();
    }
  }

  /** Whether every later sync fetches the file until it is held. */
  public void wantAttachment(String attachment, boolean wanted) {
    Objects.requireNonNull(attachment, "attachment");
    long h = enter();
    try {
      nativeWantAttachment(h, attachment, wanted);
    } finally {
      leave();
    }
  }

  /** What to tell the user before writing to workspace; empty when all is well. */
  public List<Warning> warnings(String workspace) {
    Objects.requireNonNull(workspace, "workspace");
    long h = enter();
    try {
      List<Warning> out = new ArrayList<>();
      for (Object w : Answers.list(nativeWarnings(h, workspace))) out.add(new Warning(Answers.map(w)));
      return out;
    } finally {
      leave();
    }
  }

  /** True until {@link #close()}. */
  public boolean isOpen() {
    lock.readLock().lock();
    try {
      return handle != 0;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Closes the replica's hubs, waits for calls in progress, and releases the store. Closing twice does nothing. */
  @Override
  public void close() {
    List<Hub> open;
    synchronized (hubs) {
      open = new ArrayList<>(hubs);
    }
    for (Hub hub : open) hub.close();
    lock.writeLock().lock();
    try {
      synchronized (hubs) {
        for (Hub hub : hubs) hub.release();
        hubs.clear();
      }
      if (handle != 0) nativeClose(handle);
      handle = 0;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Takes the read side of the lock for one call and returns the native handle; throws when closed. Every enter()
   * is paired with a leave(), also used by Hub for the calls it makes on this replica's behalf.
   */
  long enter() {
    lock.readLock().lock();
    if (handle == 0) {
      lock.readLock().unlock();
      throw new IllegalStateException("the replica is closed");
    }
    return handle;
  }

  /** As enter() without throwing: false, holding nothing, when the replica is closed. */
  boolean tryEnter() {
    lock.readLock().lock();
    if (handle == 0) {
      lock.readLock().unlock();
      return false;
    }
    return true;
  }

  void leave() {
    lock.readLock().unlock();
  }

  void addHub(Hub hub) {
    synchronized (hubs) {
      hubs.add(hub);
    }
  }

  void removeHub(Hub hub) {
    synchronized (hubs) {
      hubs.remove(hub);
    }
  }

  private static native long nativeOpen(String path, String passphrase, int flags);

  private static native long nativeOpenWithKey(String path, byte[] key, int flags);

  private static native void nativeClose(long handle);

  private static native String nativeDeviceId(long handle);

  private static native String nativeCreateWorkspace(long handle);

  private static native Object nativeWorkspaces(long handle);

  private static native byte[] nativeJoinRequest(long handle);

  private static native byte[] nativeAdmit(long handle, String workspace, byte[] request, int role);

  private static native String nativeAccept(long handle, byte[] envelope, String adminDevice);

  private static native String nativeCreateInvite(long handle, String workspace, int role);

  private static native Object nativeCommit(long handle, String workspace, Object operations);

  private static native Object nativeGet(long handle, String id);

  private static native Object nativeFind(long handle, Object query);

  private static native Object nativeConflicts(long handle, String workspace);

  private static native String nativeStateDigest(long handle, String workspace);

  private static native String nativeNamedRecordId(String workspace, String collection, String name);

  private static native String nativeSeal(long handle, String workspace, String text);

  private static native String nativeUnseal(long handle, String workspace, String sealed);

  private static native boolean nativeIsSealed(String value);

  private static native String nativeCursor(long handle, String workspace);

  private static native byte[] nativeExportBundle(long handle, String workspace, String peerCursor);

  private static native Object nativeImportBundle(long handle, byte[] bundle);

  private static native Object nativeWarnings(long handle, String workspace);

  private static native Object nativeAttach(
      long handle, String workspace, String record, byte[] bytes, String name, String type);

  private static native Object nativeAttachments(long handle, String workspace, String record);

  private static native byte[] nativeReadAttachment(long handle, String attachment);

  private static native void nativeDropAttachment(long handle, String attachment);

  private static native void nativeWantAttachment(long handle, String attachment, boolean wanted);
}
