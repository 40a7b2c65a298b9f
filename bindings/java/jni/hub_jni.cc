// The native methods of org.hamlet.Hub over hamlet_http.h. The Java handle is
// a JavaHub: the hamlet_hub, and during a sync the listener to tell and the
// JNIEnv of the syncing thread (hamlet_hub_sync calls back on the thread that
// called it). The Java class runs one call at a time on a hub; only
// nativeCancel comes from other threads, and hamlet_hub_cancel allows it.
#include <cstdint>
#include <string>

#include "hamlet_http.h"
#include "java_types.h"

using hamlet::jni::Guarded;
using hamlet::jni::Java;
using hamlet::jni::NewString;
using hamlet::jni::Pending;
using hamlet::jni::ThrowStatus;
using hamlet::jni::Utf8Arg;

namespace {

struct JavaHub {
  hamlet_hub* hub = nullptr;
  // Set for the length of one nativeSync with a listener.
  JNIEnv* env = nullptr;
  jobject listener = nullptr;
  // The listener threw: the sync was cancelled and its exception stays
  // pending until the sync returns to Java.
  bool listener_failed = false;
};

JavaHub* H(jlong handle) { return reinterpret_cast<JavaHub*>(static_cast<intptr_t>(handle)); }

// True when the call succeeded; else throws its HamletException.
bool Check(JNIEnv* env, int rc) {
  if (rc == HAMLET_OK) return true;
  ThrowStatus(env, rc);
  return false;
}

// After a listener call: an exception it threw stops the sync.
void AfterListener(JavaHub* jh) {
  if (Pending(jh->env)) {
    jh->listener_failed = true;
    hamlet_hub_cancel(jh->hub);
  }
}

void OnProgress(void* ctx, const char* phase, uint64_t commits, uint64_t bytes, uint64_t retries) {
  auto* jh = static_cast<JavaHub*>(ctx);
  if (jh->listener == nullptr || jh->listener_failed) return;
  JNIEnv* env = jh->env;
  jstring p = NewString(env, phase);
  if (p != nullptr) {
    env->CallVoidMethod(jh->listener, Java().listener_on_progress, p, static_cast<jlong>(commits),
                        static_cast<jlong>(bytes), static_cast<jlong>(retries));
    env->DeleteLocalRef(p);
  }
  AfterListener(jh);
}

void OnLink(void* ctx, int link_down, int64_t waiting_ms, int64_t give_up_ms) {
  auto* jh = static_cast<JavaHub*>(ctx);
  if (jh->listener == nullptr || jh->listener_failed) return;
  if (link_down) {
    jh->env->CallVoidMethod(jh->listener, Java().listener_on_link_down, static_cast<jlong>(waiting_ms),
                            static_cast<jlong>(give_up_ms));
  } else {
    jh->env->CallVoidMethod(jh->listener, Java().listener_on_link_up);
  }
  AfterListener(jh);
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_org_hamlet_Hub_nativeOpen(JNIEnv* env, jclass, jlong replica, jstring url) {
  return Guarded<jlong>(env, [&]() -> jlong {
    Utf8Arg u(env, url);
    if (!u.ok) return 0;
    auto* jh = new JavaHub;
    int rc = hamlet_hub_open(reinterpret_cast<hamlet_replica*>(static_cast<intptr_t>(replica)), u.c_str(), &jh->hub);
    // The callbacks are set once: setting them again would drop the hub's session.
    if (rc == HAMLET_OK) rc = hamlet_hub_set_progress(jh->hub, OnProgress, jh);
    if (rc == HAMLET_OK) rc = hamlet_hub_set_link_watch(jh->hub, OnLink, jh);
    if (!Check(env, rc)) {
      hamlet_hub_close(jh->hub);
      delete jh;
      return 0;
    }
    return static_cast<jlong>(reinterpret_cast<intptr_t>(jh));
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeClose(JNIEnv*, jclass, jlong h) {
  JavaHub* jh = H(h);
  hamlet_hub_close(jh->hub);
  delete jh;
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeSetCaFile(JNIEnv* env, jclass, jlong h, jstring path) {
  Guarded<bool>(env, [&] {
    if (path == nullptr) return Check(env, hamlet_hub_set_ca_file(H(h)->hub, nullptr));
    Utf8Arg p(env, path);
    return p.ok && Check(env, hamlet_hub_set_ca_file(H(h)->hub, p.c_str()));
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeSetPageBytes(JNIEnv* env, jclass, jlong h, jlong bytes) {
  Guarded<bool>(env, [&] {
    return Check(env, bytes < 0 ? HAMLET_EINVALID : hamlet_hub_set_page_bytes(H(h)->hub, static_cast<size_t>(bytes)));
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeSetGiveUpAfter(JNIEnv* env, jclass, jlong h, jlong ms) {
  Guarded<bool>(env, [&] { return Check(env, hamlet_hub_set_give_up_after(H(h)->hub, ms)); });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeSetRecentFirst(JNIEnv* env, jclass, jlong h, jint days,
                                                                jboolean older) {
  Guarded<bool>(env, [&] { return Check(env, hamlet_hub_set_recent_first(H(h)->hub, days, older ? 1 : 0)); });
}

JNIEXPORT jlong JNICALL Java_org_hamlet_Hub_nativeOlderLeft(JNIEnv* env, jclass, jlong h, jstring workspace) {
  return Guarded<jlong>(env, [&]() -> jlong {
    Utf8Arg ws(env, workspace);
    uint64_t left = 0;
    if (!ws.ok || !Check(env, hamlet_hub_older_left(H(h)->hub, ws.c_str(), &left))) return 0;
    return static_cast<jlong>(left);
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeSync(JNIEnv* env, jclass, jlong h, jstring workspace, jobject listener,
                                                      jlongArray report) {
  Guarded<bool>(env, [&] {
    Utf8Arg ws(env, workspace);
    if (!ws.ok) return false;
    JavaHub* jh = H(h);
    jh->env = env;
    jh->listener = listener;
    jh->listener_failed = false;
    hamlet_sync_report rep{};
    int rc = hamlet_hub_sync(jh->hub, ws.c_str(), &rep);
    jh->env = nullptr;
    jh->listener = nullptr;
    // The listener's exception, pending since it threw, is what Java sees.
    if (jh->listener_failed) return false;
    jlong values[10] = {static_cast<jlong>(rep.pushed),     static_cast<jlong>(rep.pulled),
                        static_cast<jlong>(rep.applied),    static_cast<jlong>(rep.bytes_up),
                        static_cast<jlong>(rep.bytes_down), static_cast<jlong>(rep.requests),
                        static_cast<jlong>(rep.retries),    static_cast<jlong>(rep.relayed),
                        static_cast<jlong>(rep.files_sent), static_cast<jlong>(rep.files_fetched)};
    env->SetLongArrayRegion(report, 0, 10, values);
    return Check(env, rc);
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeCancel(JNIEnv*, jclass, jlong h) { hamlet_hub_cancel(H(h)->hub); }

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeFetchAttachment(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                                 jstring attachment) {
  Guarded<bool>(env, [&] {
    Utf8Arg ws(env, workspace);
    Utf8Arg a(env, attachment);
    return ws.ok && a.ok && Check(env, hamlet_hub_fetch_attachment(H(h)->hub, ws.c_str(), a.c_str()));
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativePublish(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                         jstring token) {
  Guarded<bool>(env, [&] {
    Utf8Arg ws(env, workspace);
    Utf8Arg t(env, token);
    return ws.ok && t.ok && Check(env, hamlet_hub_publish(H(h)->hub, ws.c_str(), t.c_str()));
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeRegisterDevice(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                                jstring device) {
  Guarded<bool>(env, [&] {
    Utf8Arg ws(env, workspace);
    Utf8Arg d(env, device);
    return ws.ok && d.ok && Check(env, hamlet_hub_register_device(H(h)->hub, ws.c_str(), d.c_str()));
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeAdmitPending(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                              jlongArray counts) {
  Guarded<bool>(env, [&] {
    Utf8Arg ws(env, workspace);
    if (!ws.ok) return false;
    size_t admitted = 0;
    size_t refused = 0;
    if (!Check(env, hamlet_hub_admit_pending(H(h)->hub, ws.c_str(), &admitted, &refused))) return false;
    jlong values[2] = {static_cast<jlong>(admitted), static_cast<jlong>(refused)};
    env->SetLongArrayRegion(counts, 0, 2, values);
    return true;
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeRevoke(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                        jstring device) {
  Guarded<bool>(env, [&] {
    Utf8Arg ws(env, workspace);
    Utf8Arg d(env, device);
    return ws.ok && d.ok && Check(env, hamlet_hub_revoke(H(h)->hub, ws.c_str(), d.c_str()));
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeRequestJoin(JNIEnv* env, jclass, jlong h, jstring code,
                                                             jobjectArray out) {
  Guarded<bool>(env, [&] {
    Utf8Arg c(env, code);
    if (!c.ok) return false;
    char* workspace = nullptr;
    char* invite = nullptr;
    int rc = hamlet_hub_request_join(H(h)->hub, c.c_str(), &workspace, &invite);
    bool ok = Check(env, rc);
    if (ok) {
      jstring ws = NewString(env, workspace);
      jstring inv = ws ? NewString(env, invite) : nullptr;
      if (ws && inv) {
        env->SetObjectArrayElement(out, 0, ws);
        env->SetObjectArrayElement(out, 1, inv);
      }
      ok = !Pending(env);
    }
    hamlet_free(workspace);
    hamlet_free(invite);
    return ok;
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Hub_nativeCompleteJoin(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                              jstring invite) {
  Guarded<bool>(env, [&] {
    Utf8Arg ws(env, workspace);
    Utf8Arg inv(env, invite);
    return ws.ok && inv.ok && Check(env, hamlet_hub_complete_join(H(h)->hub, ws.c_str(), inv.c_str()));
  });
}

}  // extern "C"
