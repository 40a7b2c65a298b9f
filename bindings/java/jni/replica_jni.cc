// The native methods of org.hamlet.Replica and org.hamlet.Hamlet: each calls
// one function of hamlet.h, turns its status into a HamletException and its
// JSON answer into Java objects (java_values.h). The Java class checks that
// required arguments are not null and keeps handles valid during calls.
#include <cstdint>
#include <string>

#include <sodium.h>

#include "hamlet.h"
#include "java_types.h"
#include "java_values.h"

using hamlet::jni::BytesOf;
using hamlet::jni::FromJsonText;
using hamlet::jni::Guarded;
using hamlet::jni::NewBytes;
using hamlet::jni::NewString;
using hamlet::jni::Owned;
using hamlet::jni::ThrowStatus;
using hamlet::jni::ToJson;
using hamlet::jni::Utf8Arg;

namespace {

hamlet_replica* R(jlong handle) { return reinterpret_cast<hamlet_replica*>(static_cast<intptr_t>(handle)); }

// The string the C API returned, or the exception for its failure.
jstring StringResult(JNIEnv* env, int rc, const Owned& out) {
  if (rc != HAMLET_OK) {
    ThrowStatus(env, rc);
    return nullptr;
  }
  return NewString(env, out.get());
}

// The JSON the C API returned, as Java objects, or the exception.
jobject JsonResult(JNIEnv* env, int rc, const Owned& out) {
  if (rc != HAMLET_OK) {
    ThrowStatus(env, rc);
    return nullptr;
  }
  return FromJsonText(env, out.get());
}

// A call taking the replica and one string (a workspace), answering a string.
template <class Fn>
jstring WorkspaceString(JNIEnv* env, jlong h, jstring workspace, Fn fn) {
  return Guarded<jstring>(env, [&]() -> jstring {
    Utf8Arg ws(env, workspace);
    if (!ws.ok) return nullptr;
    Owned out;
    return StringResult(env, fn(R(h), ws.c_str(), out.out()), out);
  });
}

// A call taking the replica and one string (a workspace), answering JSON.
template <class Fn>
jobject WorkspaceJson(JNIEnv* env, jlong h, jstring workspace, Fn fn) {
  return Guarded<jobject>(env, [&]() -> jobject {
    Utf8Arg ws(env, workspace);
    if (!ws.ok) return nullptr;
    Owned out;
    return JsonResult(env, fn(R(h), ws.c_str(), out.out()), out);
  });
}

}  // namespace

extern "C" {

JNIEXPORT jstring JNICALL Java_org_hamlet_Hamlet_nativeVersion(JNIEnv* env, jclass) {
  return Guarded<jstring>(env, [&] { return NewString(env, hamlet_version()); });
}

JNIEXPORT jint JNICALL Java_org_hamlet_Hamlet_nativeVersionNumber(JNIEnv*, jclass) { return hamlet_version_number(); }

JNIEXPORT jlong JNICALL Java_org_hamlet_Replica_nativeOpen(JNIEnv* env, jclass, jstring path, jstring passphrase,
                                                           jint flags) {
  return Guarded<jlong>(env, [&]() -> jlong {
    Utf8Arg p(env, path);
    Utf8Arg pass(env, passphrase);
    if (!p.ok || !pass.ok) return 0;
    hamlet_replica* r = nullptr;
    int rc = hamlet_open(p.c_str(), pass.c_str(), flags, &r);
    sodium_memzero(pass.text.data(), pass.text.size());
    if (rc != HAMLET_OK) {
      ThrowStatus(env, rc);
      return 0;
    }
    return static_cast<jlong>(reinterpret_cast<intptr_t>(r));
  });
}

JNIEXPORT jlong JNICALL Java_org_hamlet_Replica_nativeOpenWithKey(JNIEnv* env, jclass, jstring path, jbyteArray key,
                                                                  jint flags) {
  return Guarded<jlong>(env, [&]() -> jlong {
    Utf8Arg p(env, path);
    if (!p.ok) return 0;
    std::string k = BytesOf(env, key);
    hamlet_replica* r = nullptr;
    int rc = k.size() == 32
                 ? hamlet_open_with_key(p.c_str(), reinterpret_cast<const unsigned char*>(k.data()), flags, &r)
                 : HAMLET_EINVALID;
    sodium_memzero(k.data(), k.size());
    if (rc != HAMLET_OK) {
      ThrowStatus(env, rc);
      return 0;
    }
    return static_cast<jlong>(reinterpret_cast<intptr_t>(r));
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Replica_nativeClose(JNIEnv*, jclass, jlong h) { hamlet_close(R(h)); }

JNIEXPORT jstring JNICALL Java_org_hamlet_Replica_nativeDeviceId(JNIEnv* env, jclass, jlong h) {
  return Guarded<jstring>(env, [&] {
    Owned out;
    return StringResult(env, hamlet_device_id(R(h), out.out()), out);
  });
}

JNIEXPORT jstring JNICALL Java_org_hamlet_Replica_nativeCreateWorkspace(JNIEnv* env, jclass, jlong h) {
  return Guarded<jstring>(env, [&] {
    Owned out;
    return StringResult(env, hamlet_workspace_create(R(h), out.out()), out);
  });
}

JNIEXPORT jobject JNICALL Java_org_hamlet_Replica_nativeWorkspaces(JNIEnv* env, jclass, jlong h) {
  return Guarded<jobject>(env, [&] {
    Owned out;
    return JsonResult(env, hamlet_workspaces(R(h), out.out()), out);
  });
}

JNIEXPORT jbyteArray JNICALL Java_org_hamlet_Replica_nativeJoinRequest(JNIEnv* env, jclass, jlong h) {
  return Guarded<jbyteArray>(env, [&]() -> jbyteArray {
    Owned out;
    size_t len = 0;
    int rc = hamlet_join_request(R(h), out.out_bytes(), &len);
    if (rc != HAMLET_OK) {
      ThrowStatus(env, rc);
      return nullptr;
    }
    return NewBytes(env, reinterpret_cast<const unsigned char*>(out.get()), len);
  });
}

JNIEXPORT jbyteArray JNICALL Java_org_hamlet_Replica_nativeAdmit(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                                 jbyteArray request, jint role) {
  return Guarded<jbyteArray>(env, [&]() -> jbyteArray {
    Utf8Arg ws(env, workspace);
    if (!ws.ok) return nullptr;
    std::string req = BytesOf(env, request);
    Owned out;
    size_t len = 0;
    int rc = hamlet_admit(R(h), ws.c_str(), reinterpret_cast<const unsigned char*>(req.data()), req.size(), role,
                          out.out_bytes(), &len);
    if (rc != HAMLET_OK) {
      ThrowStatus(env, rc);
      return nullptr;
    }
    return NewBytes(env, reinterpret_cast<const unsigned char*>(out.get()), len);
  });
}

JNIEXPORT jstring JNICALL Java_org_hamlet_Replica_nativeAccept(JNIEnv* env, jclass, jlong h, jbyteArray envelope,
                                                               jstring admin_device) {
  return Guarded<jstring>(env, [&]() -> jstring {
    Utf8Arg admin(env, admin_device);
    if (!admin.ok) return nullptr;
    std::string e = BytesOf(env, envelope);
    Owned out;
    int rc = hamlet_accept(R(h), reinterpret_cast<const unsigned char*>(e.data()), e.size(), admin.c_str(), out.out());
    return StringResult(env, rc, out);
  });
}

JNIEXPORT jstring JNICALL Java_org_hamlet_Replica_nativeCreateInvite(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                                     jint role) {
  return WorkspaceString(env, h, workspace, [role](hamlet_replica* r, const char* ws, char** out) {
    return hamlet_invite_create(r, ws, role, out);
  });
}

JNIEXPORT jobject JNICALL Java_org_hamlet_Replica_nativeCommit(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                               jobject operations) {
  return Guarded<jobject>(env, [&]() -> jobject {
    nlohmann::json batch;
    if (!ToJson(env, operations, "batch", &batch)) return nullptr;
    std::string text = batch.dump();
    return WorkspaceJson(env, h, workspace, [&text](hamlet_replica* r, const char* ws, char** out) {
      return hamlet_commit(r, ws, text.c_str(), out);
    });
  });
}

JNIEXPORT jobject JNICALL Java_org_hamlet_Replica_nativeGet(JNIEnv* env, jclass, jlong h, jstring id) {
  return Guarded<jobject>(env, [&]() -> jobject {
    Utf8Arg record(env, id);
    if (!record.ok) return nullptr;
    Owned out;
    int rc = hamlet_get(R(h), record.c_str(), out.out());
    if (rc == HAMLET_ENOTFOUND) return nullptr;
    return JsonResult(env, rc, out);
  });
}

JNIEXPORT jobject JNICALL Java_org_hamlet_Replica_nativeFind(JNIEnv* env, jclass, jlong h, jobject query) {
  return Guarded<jobject>(env, [&]() -> jobject {
    nlohmann::json q;
    if (!ToJson(env, query, "query", &q)) return nullptr;
    Owned out;
    return JsonResult(env, hamlet_find(R(h), q.dump().c_str(), out.out()), out);
  });
}

JNIEXPORT jobject JNICALL Java_org_hamlet_Replica_nativeConflicts(JNIEnv* env, jclass, jlong h, jstring workspace) {
  return WorkspaceJson(env, h, workspace, hamlet_conflicts);
}

JNIEXPORT jstring JNICALL Java_org_hamlet_Replica_nativeStateDigest(JNIEnv* env, jclass, jlong h, jstring workspace) {
  return WorkspaceString(env, h, workspace, hamlet_state_digest);
}

JNIEXPORT jstring JNICALL Java_org_hamlet_Replica_nativeNamedRecordId(JNIEnv* env, jclass, jstring workspace,
                                                                      jstring collection, jstring name) {
  return Guarded<jstring>(env, [&]() -> jstring {
    Utf8Arg ws(env, workspace);
    Utf8Arg c(env, collection);
    Utf8Arg n(env, name);
    if (!ws.ok || !c.ok || !n.ok) return nullptr;
    Owned out;
    return StringResult(env, hamlet_named_record_id(ws.c_str(), c.c_str(), n.c_str(), out.out()), out);
  });
}

JNIEXPORT jstring JNICALL Java_org_hamlet_Replica_nativeSeal(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                             jstring text) {
  return Guarded<jstring>(env, [&]() -> jstring {
    Utf8Arg t(env, text);
    if (!t.ok) return nullptr;
    return WorkspaceString(env, h, workspace, [&t](hamlet_replica* r, const char* ws, char** out) {
      return hamlet_seal_for_officers(r, ws, t.c_str(), out);
    });
  });
}

JNIEXPORT jstring JNICALL Java_org_hamlet_Replica_nativeUnseal(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                               jstring sealed) {
  return Guarded<jstring>(env, [&]() -> jstring {
    Utf8Arg t(env, sealed);
    if (!t.ok) return nullptr;
    return WorkspaceString(env, h, workspace, [&t](hamlet_replica* r, const char* ws, char** out) {
      return hamlet_unseal(r, ws, t.c_str(), out);
    });
  });
}

JNIEXPORT jboolean JNICALL Java_org_hamlet_Replica_nativeIsSealed(JNIEnv* env, jclass, jstring value) {
  return Guarded<jboolean>(env, [&]() -> jboolean {
    Utf8Arg v(env, value);
    return v.ok && hamlet_is_sealed(v.c_str()) == 1 ? JNI_TRUE : JNI_FALSE;
  });
}

JNIEXPORT jstring JNICALL Java_org_hamlet_Replica_nativeCursor(JNIEnv* env, jclass, jlong h, jstring workspace) {
  return WorkspaceString(env, h, workspace, hamlet_cursor);
}

JNIEXPORT jbyteArray JNICALL Java_org_hamlet_Replica_nativeExportBundle(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                                        jstring peer_cursor) {
  return Guarded<jbyteArray>(env, [&]() -> jbyteArray {
    Utf8Arg ws(env, workspace);
    Utf8Arg cursor(env, peer_cursor);
    if (!ws.ok || !cursor.ok) return nullptr;
    Owned bundle;
    size_t len = 0;
    size_t commits = 0;
    int rc = hamlet_export_bundle(R(h), ws.c_str(), cursor.c_str(), bundle.out_bytes(), &len, &commits);
    if (rc != HAMLET_OK) {
      ThrowStatus(env, rc);
      return nullptr;
    }
    return NewBytes(env, reinterpret_cast<const unsigned char*>(bundle.get()), len);
  });
}

JNIEXPORT jobject JNICALL Java_org_hamlet_Replica_nativeImportBundle(JNIEnv* env, jclass, jlong h, jbyteArray bundle) {
  return Guarded<jobject>(env, [&]() -> jobject {
    std::string bytes = BytesOf(env, bundle);
    Owned out;
    int rc = hamlet_import_bundle(R(h), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.out());
    return JsonResult(env, rc, out);
  });
}

JNIEXPORT jobject JNICALL Java_org_hamlet_Replica_nativeWarnings(JNIEnv* env, jclass, jlong h, jstring workspace) {
  return WorkspaceJson(env, h, workspace, hamlet_warnings);
}

JNIEXPORT jobject JNICALL Java_org_hamlet_Replica_nativeAttach(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                               jstring record, jbyteArray bytes, jstring name,
                                                               jstring type) {
  return Guarded<jobject>(env, [&]() -> jobject {
    Utf8Arg ws(env, workspace);
    Utf8Arg rec(env, record);
    Utf8Arg n(env, name);
    Utf8Arg t(env, type);
    if (!ws.ok || !rec.ok || !n.ok || !t.ok) return nullptr;
    std::string data = BytesOf(env, bytes);
    Owned out;
    int rc = hamlet_attach(R(h), ws.c_str(), rec.c_str(), reinterpret_cast<const unsigned char*>(data.data()),
                           data.size(), n.c_str(), t.c_str(), out.out());
    return JsonResult(env, rc, out);
  });
}

JNIEXPORT jobject JNICALL Java_org_hamlet_Replica_nativeAttachments(JNIEnv* env, jclass, jlong h, jstring workspace,
                                                                    jstring record) {
  return Guarded<jobject>(env, [&]() -> jobject {
    Utf8Arg ws(env, workspace);
    Utf8Arg rec(env, record);  // "" for every record.
    if (!ws.ok || !rec.ok) return nullptr;
    Owned out;
    int rc = hamlet_attachments(R(h), ws.c_str(), rec.text.empty() ? nullptr : rec.c_str(), out.out());
    return JsonResult(env, rc, out);
  });
}

JNIEXPORT jbyteArray JNICALL Java_org_hamlet_Replica_nativeReadAttachment(JNIEnv* env, jclass, jlong h,
                                                                          jstring attachment) {
  return Guarded<jbyteArray>(env, [&]() -> jbyteArray {
    Utf8Arg a(env, attachment);
    if (!a.ok) return nullptr;
    Owned bytes;
    size_t len = 0;
    int rc = hamlet_attachment_read(R(h), a.c_str(), bytes.out_bytes(), &len);
    if (rc != HAMLET_OK) {
      ThrowStatus(env, rc);
      return nullptr;
    }
    return NewBytes(env, reinterpret_cast<const unsigned char*>(bytes.get()), len);
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Replica_nativeDropAttachment(JNIEnv* env, jclass, jlong h, jstring attachment) {
  Guarded<bool>(env, [&] {
    Utf8Arg a(env, attachment);
    if (!a.ok) return false;
    int rc = hamlet_attachment_drop(R(h), a.c_str());
    if (rc != HAMLET_OK) ThrowStatus(env, rc);
    return rc == HAMLET_OK;
  });
}

JNIEXPORT void JNICALL Java_org_hamlet_Replica_nativeWantAttachment(JNIEnv* env, jclass, jlong h, jstring attachment,
                                                                    jboolean wanted) {
  Guarded<bool>(env, [&] {
    Utf8Arg a(env, attachment);
    if (!a.ok) return false;
    int rc = hamlet_attachment_want(R(h), a.c_str(), wanted == JNI_TRUE ? 1 : 0);
    if (rc != HAMLET_OK) ThrowStatus(env, rc);
    return rc == HAMLET_OK;
  });
}

}  // extern "C"
