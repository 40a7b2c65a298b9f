package org.hamlet;

/**
 * Loads {@code libhamlet_jni} once: from the file named by the system property {@code hamlet.jni.library} when set,
 * else by name from {@code java.library.path} (on Android, the app's {@code jniLibs} for the device's ABI).
 */
final class NativeLibrary {
  private static boolean loaded;

  private NativeLibrary() {}

  static synchronized void load() {
    if (loaded) return;
    String path = System.getProperty("hamlet.jni.library");
    if (path != null && !path.isEmpty()) {
      System.load(path);
    } else {
      System.loadLibrary("hamlet_jni");
    }
    loaded = true;
  }
}
