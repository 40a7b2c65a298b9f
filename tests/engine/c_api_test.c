/* Exercises the C API from plain C: open, membership, commit, read, export,
   import into a second replica, error codes and messages. Usage:
   c_api_test DIR, where DIR is a scratch directory. */
#include <hamlet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "c_check.h"

int main(int argc, char** argv) {
  char a_path[4096], b_path[4096];
  const char* dir = argc > 1 ? argv[1] : ".";
  snprintf(a_path, sizeof a_path, "%s/c_api_a_%d.db", dir, (int)getpid());
  snprintf(b_path, sizeof b_path, "%s/c_api_b_%d.db", dir, (int)getpid());

  CHECK(hamlet_version_number() == HAMLET_VERSION_NUMBER);
  CHECK(strcmp(hamlet_version(), HAMLET_VERSION) == 0);
  CHECK(hamlet_code_retryable(HAMLET_EUNAVAILABLE) == 1);
  CHECK(hamlet_code_retryable(HAMLET_EDATALOSS) == 0);
  CHECK(hamlet_code_retryable(HAMLET_EDENIED) == 0);
  CHECK(strcmp(hamlet_code_name(HAMLET_EINVALID), "invalid argument") == 0);
  CHECK(hamlet_role_cadre() == HAMLET_ROLE_CADRE);
  CHECK(hamlet_role_officer() == HAMLET_ROLE_OFFICER);
  CHECK(hamlet_open_no_create() == HAMLET_OPEN_NO_CREATE);
  CHECK(hamlet_open_relaxed() == HAMLET_OPEN_RELAXED);
  hamlet_close(NULL);
  hamlet_free(NULL);

  unsigned char key_a[32], key_b[32];
  for (int i = 0; i < 32; i++) {
    key_a[i] = (unsigned char)(i + 1);
    key_b[i] = (unsigned char)(100 + i);
  }
  hamlet_replica* a = NULL;
  hamlet_replica* b = NULL;
  CHECK(hamlet_open_with_key(a_path, key_a, HAMLET_OPEN_RELAXED, &a) == HAMLET_OK);
  CHECK(hamlet_open_one_thread() == HAMLET_OPEN_ONE_THREAD);
  CHECK(hamlet_open_ungrouped() == HAMLET_OPEN_UNGROUPED);
  CHECK(hamlet_open_with_key(b_path, key_b, HAMLET_OPEN_RELAXED | HAMLET_OPEN_ONE_THREAD, &b) == HAMLET_OK);
  if (!a || !b) return 1;

  /* A missing store with NO_CREATE. */
  hamlet_replica* none = (hamlet_replica*)1;
  char missing[4200];
  snprintf(missing, sizeof missing, "%s/none_%d.db", dir, (int)getpid());
  CHECK(hamlet_open_with_key(missing, key_a, HAMLET_OPEN_NO_CREATE, &none) == HAMLET_ENOTFOUND);
  CHECK(none == NULL);
  CHECK(access(missing, F_OK) != 0); /* Nothing was created. */
  unlink(missing);

  char* ws = NULL;
  CHECK(hamlet_workspace_create(a, &ws) == HAMLET_OK);
  CHECK(ws != NULL && strlen(ws) == 32);

  unsigned char* req = NULL;
  size_t req_len = 0;
  CHECK(hamlet_join_request(b, &req, &req_len) == HAMLET_OK);
  unsigned char* env = NULL;
  size_t env_len = 0;
  CHECK(hamlet_admit(a, ws, req, req_len, HAMLET_ROLE_CADRE, &env, &env_len) == HAMLET_OK);
  char* joined = NULL;
  /* Without an invite code nothing names the admin: refused, nothing joined. */
  CHECK(hamlet_accept(b, env, env_len, NULL, &joined) == HAMLET_EDENIED);
  CHECK(joined == NULL);
  CHECK(hamlet_accept(b, env, env_len, "00000000000000000000000000000001", &joined) == HAMLET_EDENIED);
  char* admin_id = NULL;
  CHECK(hamlet_device_id(a, &admin_id) == HAMLET_OK);
  CHECK(hamlet_accept(b, env, env_len, admin_id, &joined) == HAMLET_OK);
  hamlet_free(admin_id);
  CHECK(joined && strcmp(joined, ws) == 0);

  /* A relay hub's request (hex; here made of a third store's keys),
     certified by the admin alone, never for a device already a member. */
  char relay_path[4200];
  snprintf(relay_path, sizeof relay_path, "%s/relay_%d.db", dir, (int)getpid());
  unsigned char key_r[32];
  for (int i = 0; i < 32; i++) key_r[i] = (unsigned char)(200 + i);
  hamlet_replica* hub_keys = NULL;
  CHECK(hamlet_open_with_key(relay_path, key_r, HAMLET_OPEN_RELAXED, &hub_keys) == HAMLET_OK);
  unsigned char* rreq = NULL;
  size_t rreq_len = 0;
  CHECK(hamlet_join_request(hub_keys, &rreq, &rreq_len) == HAMLET_OK);
  char relay_request[2 * 256 + 1] = {0}, member_request[2 * 256 + 1] = {0};
  for (size_t i = 0; i < rreq_len && i < 256; i++) snprintf(relay_request + 2 * i, 3, "%02x", rreq[i]);
  for (size_t i = 0; i < req_len && i < 256; i++) snprintf(member_request + 2 * i, 3, "%02x", req[i]);
  hamlet_free(rreq);
  hamlet_close(hub_keys);
  unlink(relay_path);
  char* relay_device = NULL;
  char* relay_file = NULL;
  CHECK(hamlet_certify_relay(a, ws, "not hex", &relay_device, &relay_file) == HAMLET_EINVALID);
  CHECK(relay_device == NULL && relay_file == NULL);
  CHECK(hamlet_certify_relay(b, ws, relay_request, &relay_device, &relay_file) == HAMLET_EDENIED);
  CHECK(hamlet_certify_relay(a, ws, member_request, &relay_device, &relay_file) == HAMLET_EEXISTS);
  CHECK(hamlet_certify_relay(a, ws, relay_request, &relay_device, &relay_file) == HAMLET_OK);
  CHECK(relay_device && strlen(relay_device) == 32);
  CHECK(relay_file && strncmp(relay_file, "hamlet relay 1\n", 15) == 0);
  hamlet_free(relay_device);
  hamlet_free(relay_file);

  /* Bad inputs: clear codes, messages, nothing written. */
  char* out = NULL;
  CHECK(hamlet_commit(a, ws, "{not json", &out) == HAMLET_EINVALID);
  CHECK(out == NULL);
  CHECK(strlen(hamlet_errmsg()) > 0);
  CHECK(hamlet_commit(a, "xyz", "[]", NULL) == HAMLET_EINVALID);
  CHECK(hamlet_commit(a, ws, "[{\"op\":\"update\",\"id\":\"00000000000000000000000000000001\",\"fields\":{}}]",
                      NULL) == HAMLET_ENOTFOUND);
  CHECK(hamlet_get(a, "nothex", &out) == HAMLET_EINVALID);
  CHECK(hamlet_import(a, (const unsigned char*)"garbage", 7, NULL) != HAMLET_OK);
  /* Nothing set aside yet; a malformed workspace id is refused. */
  uint64_t position_unused = 0;
  CHECK(hamlet_set_aside(a, ws, &out) == HAMLET_OK);
  CHECK(out && strcmp(out, "[]") == 0);
  hamlet_free(out);
  out = NULL;
  CHECK(hamlet_set_aside(a, "xyz", &out) == HAMLET_EINVALID);
  CHECK(out == NULL);
  /* The admin's own statement: one is due at once, none right after; the
     admin warns of nothing; a forged statement is refused. */
  unsigned char* statement = NULL;
  size_t statement_len = 0;
  CHECK(hamlet_renew_epoch_statement(a, ws, &statement, &statement_len) == HAMLET_OK);
  CHECK(statement != NULL && statement_len > 64 && memcmp(statement, "HMLS", 4) == 0);
  unsigned char* not_due = NULL;
  size_t not_due_len = 1;
  CHECK(hamlet_renew_epoch_statement(a, ws, &not_due, &not_due_len) == HAMLET_OK);
  CHECK(not_due == NULL && not_due_len == 0);
  CHECK(hamlet_accept_epoch_statement(a, statement, statement_len) == HAMLET_OK);
  if (statement) statement[statement_len - 1] ^= 1;
  CHECK(hamlet_accept_epoch_statement(a, statement, statement_len) == HAMLET_EDATALOSS);
  hamlet_free(statement);
  CHECK(hamlet_accept_epoch_statement(a, (const unsigned char*)"garbage", 7) == HAMLET_EINVALID);
  CHECK(hamlet_warnings(a, ws, &out) == HAMLET_OK);
  CHECK(out && strcmp(out, "[]") == 0);
  hamlet_free(out);
  out = NULL;
  CHECK(hamlet_check_hub_session(a, ws, "{\"hub\": 1}", &position_unused) == HAMLET_EINVALID);
  CHECK(hamlet_set_statement_max_age(a, 0) == HAMLET_EINVALID);

  const char* batch =
      "[{\"op\":\"insert\",\"collection\":\"concerns\",\"fields\":{"
      "\"summary\":\"Tranh ch\xe1\xba\xa5p \xc4\x91\xe1\xba\xa5t \xc4\x91""ai\",\"status\":\"received\","
      "\"hamlet\":\"Th\xc3\xb4n 3\",\"votes\":7,\"urgent\":true,\"due\":{\"$ts\":1795000000000}}}]";
  CHECK(hamlet_commit(a, ws, batch, &out) == HAMLET_OK);
  CHECK(out && strstr(out, "\"seq\":1"));
  char id[33] = {0};
  if (out) {
    const char* p = strstr(out, "\"ids\":[\"");
    CHECK(p != NULL);
    if (p) memcpy(id, p + 8, 32);
  }
  hamlet_free(out);

  char* cursor = NULL;
  CHECK(hamlet_cursor(b, ws, &cursor) == HAMLET_OK);
  unsigned char* chunk = NULL;
  size_t chunk_len = 0;
  char* next = NULL;
  int more = 1;
  CHECK(hamlet_export(a, ws, cursor, 1 << 20, &chunk, &chunk_len, &next, &more) == HAMLET_OK);
  CHECK(chunk != NULL && chunk_len > 0);
  CHECK(more == 0);
  char* summary = NULL;
  CHECK(hamlet_import(b, chunk, chunk_len, &summary) == HAMLET_OK);
  CHECK(summary && strstr(summary, "\"applied\":1"));
  hamlet_free(summary);
  /* The same chunk again changes nothing. */
  CHECK(hamlet_import(b, chunk, chunk_len, &summary) == HAMLET_OK);
  CHECK(summary && strstr(summary, "\"duplicates\":1") && strstr(summary, "\"applied\":0"));
  hamlet_free(summary);
  /* A damaged chunk is refused as data loss. */
  chunk[chunk_len / 2] ^= 0x40;
  CHECK(hamlet_import(b, chunk, chunk_len, NULL) == HAMLET_EDATALOSS);

  /* The same commits as a bundle file: all duplicates now. */
  unsigned char* bundle = NULL;
  size_t bundle_len = 0, bundled = 0;
  CHECK(hamlet_export_bundle(a, ws, "", &bundle, &bundle_len, &bundled) == HAMLET_OK);
  CHECK(bundle != NULL && bundle_len > 0 && bundled == 1);
  CHECK(hamlet_import_bundle(b, bundle, bundle_len, &summary) == HAMLET_OK);
  CHECK(summary && strstr(summary, "\"duplicates\":1") && strstr(summary, "\"exporter\":\""));
  hamlet_free(summary);
  bundle[bundle_len - 1] ^= 1;
  CHECK(hamlet_import_bundle(b, bundle, bundle_len, NULL) == HAMLET_EDATALOSS);
  hamlet_free(bundle);

  char* rec = NULL;
  CHECK(hamlet_get(b, id, &rec) == HAMLET_OK);
  CHECK(rec && strstr(rec, "\"votes\":7") && strstr(rec, "\"$ts\":1795000000000"));
  CHECK(rec && strstr(rec, "Th\xc3\xb4n 3"));
  hamlet_free(rec);

  char* found = NULL;
  CHECK(hamlet_find(b, "{\"collection\":\"concerns\",\"text\":\"dat dai\"}", &found) == HAMLET_OK);
  CHECK(found && strstr(found, "\"total\":1"));
  hamlet_free(found);
  CHECK(hamlet_find(b, "{\"collection\":\"concerns\",\"equals\":{\"status\":\"resolved\"}}", &found) == HAMLET_OK);
  CHECK(found && strstr(found, "\"total\":0"));
  hamlet_free(found);
  /* An index spec that leaves the words of every field out: text finds
     nothing, exact values are still found; a bad spec is refused. */
  CHECK(hamlet_set_index(b, "concerns", "{\"others\":\"exact\"}") == HAMLET_OK);
  CHECK(hamlet_find(b, "{\"collection\":\"concerns\",\"text\":\"dat dai\"}", &found) == HAMLET_OK);
  CHECK(found && strstr(found, "\"total\":0"));
  hamlet_free(found);
  CHECK(hamlet_set_index(b, "concerns", "{\"others\":\"some\"}") == HAMLET_EINVALID);
  CHECK(strstr(hamlet_errmsg(), "\"words\", \"exact\" or \"none\"") != NULL);
  CHECK(hamlet_set_index(b, "concerns", "{}") == HAMLET_OK);
  CHECK(hamlet_find(b, "{\"collection\":\"concerns\",\"text\":\"dat dai\"}", &found) == HAMLET_OK);
  CHECK(found && strstr(found, "\"total\":1"));
  hamlet_free(found);

  /* The pieces an app's own HTTP stack needs to talk to a hub. */
  char* device_b = NULL;
  CHECK(hamlet_device_id(b, &device_b) == HAMLET_OK);
  unsigned char* cert = NULL;
  size_t cert_len = 0;
  CHECK(hamlet_device_certificate(a, ws, device_b, &cert, &cert_len) == HAMLET_OK);
  CHECK(cert != NULL && cert_len == 154);
  CHECK(hamlet_accept_certificate(b, cert, cert_len) == HAMLET_OK);
  cert[40] ^= 1;
  CHECK(hamlet_accept_certificate(b, cert, cert_len) == HAMLET_EDATALOSS);
  hamlet_free(cert);

  /* A value sealed on the cadre's device to the officers (here the admin):
     the cadre cannot read it back, the admin can, byte for byte. */
  char *sealed = NULL, *opened = NULL;
  const char* reporter = "Tr\xe1\xba\xa7n V\xc4\x83n B";
  CHECK(hamlet_seal_for_officers(b, ws, reporter, &sealed) == HAMLET_OK);
  CHECK(sealed && hamlet_is_sealed(sealed) == 1 && strstr(sealed, reporter) == NULL);
  CHECK(hamlet_is_sealed("Tr\xe1\xba\xa7n") == 0 && hamlet_is_sealed(NULL) == 0);
  CHECK(hamlet_unseal(b, ws, sealed, &opened) == HAMLET_EDENIED && opened == NULL);
  CHECK(hamlet_unseal(a, ws, sealed, &opened) == HAMLET_OK);
  CHECK(opened && strcmp(opened, reporter) == 0);
  hamlet_free(opened);
  hamlet_free(sealed);
  CHECK(hamlet_unseal(a, ws, "sealed2:AAAA", &opened) == HAMLET_EDATALOSS);
  hamlet_free(device_b);
  unsigned char challenge[16] = {3};
  char* header = NULL;
  CHECK(hamlet_authorize_request(a, ws, "GET", "/v1/workspaces/x/pull?after=0", challenge, 16, 1, NULL, 0,
                                 &header) == HAMLET_OK);
  CHECK(header && strncmp(header, "Hamlet device=", 14) == 0 && strstr(header, ",counter=1,"));
  hamlet_free(header);
  CHECK(hamlet_authorize_request(a, ws, "GET", "/", challenge, 15, 1, NULL, 0, &header) == HAMLET_EINVALID);
  unsigned char* own = NULL;
  size_t own_len = 0;
  int own_more = 1;
  CHECK(hamlet_export_authored(a, ws, 0, 1 << 20, &own, &own_len, &own_more) == HAMLET_OK);
  CHECK(own != NULL && own_len > 0 && own_more == 0);
  hamlet_free(own);
  CHECK(hamlet_export_authored(a, ws, 1, 1 << 20, &own, &own_len, &own_more) == HAMLET_OK);
  CHECK(own == NULL && own_len == 0); /* Commit 1 is all there is. */
  uint64_t pos = 99;
  CHECK(hamlet_pull_position(b, ws, "https://hub.example", &pos) == HAMLET_OK && pos == 0);
  CHECK(hamlet_set_pull_position(b, ws, "https://hub.example", 42) == HAMLET_OK);
  CHECK(hamlet_pull_position(b, ws, "https://hub.example", &pos) == HAMLET_OK && pos == 42);
  CHECK(hamlet_accept_key_grant(b, (const unsigned char*)"junk", 4) == HAMLET_EINVALID);
  CHECK(hamlet_accept_revocation(b, (const unsigned char*)"HMLRjunkjunkjunkjunkjunk", 24) != HAMLET_OK);

  char *da = NULL, *db = NULL;
  CHECK(hamlet_state_digest(a, ws, &da) == HAMLET_OK);
  CHECK(hamlet_state_digest(b, ws, &db) == HAMLET_OK);
  CHECK(da && db && strcmp(da, db) == 0);

  hamlet_free(da);
  hamlet_free(db);

  /* An app's own key names one record on every device. */
  char* named = NULL;
  char* named_again = NULL;
  char* other_name = NULL;
  CHECK(hamlet_named_record_id(ws, "cases", "HS-2026/117", &named) == HAMLET_OK);
  CHECK(hamlet_named_record_id(ws, "cases", "HS-2026/117", &named_again) == HAMLET_OK);
  CHECK(hamlet_named_record_id(ws, "cases", "HS-2026/118", &other_name) == HAMLET_OK);
  CHECK(named && named_again && other_name && strlen(named) == 32);
  CHECK(named && named_again && strcmp(named, named_again) == 0);
  CHECK(named && other_name && strcmp(named, other_name) != 0);
  if (named) {
    char batch[256];
    snprintf(batch, sizeof batch, "[{\"op\":\"insert\",\"collection\":\"cases\",\"id\":\"%s\",\"fields\":{\"n\":1}}]",
             named);
    CHECK(hamlet_commit(b, ws, batch, NULL) == HAMLET_OK);
    char* got = NULL;
    CHECK(hamlet_get(b, named, &got) == HAMLET_OK);
    CHECK(got && strstr(got, "\"n\":1"));
    hamlet_free(got);
    CHECK(hamlet_commit(b, ws, batch, NULL) == HAMLET_EEXISTS);
  }
  hamlet_free(named);
  hamlet_free(named_again);
  hamlet_free(other_name);
  CHECK(hamlet_named_record_id("not hex", "cases", "x", &named) == HAMLET_EINVALID && named == NULL);
  hamlet_free(chunk);
  hamlet_free(next);
  hamlet_free(cursor);
  hamlet_free(joined);
  hamlet_free(env);
  hamlet_free(req);
  hamlet_free(ws);
  hamlet_close(a);
  hamlet_close(b);

  /* Reopen with the wrong key: refused, and the right key still works. */
  CHECK(hamlet_open_with_key(a_path, key_b, 0, &a) == HAMLET_EDENIED);
  CHECK(a == NULL);
  CHECK(strstr(hamlet_errmsg(), "wrong key") != NULL);
  CHECK(hamlet_open_with_key(a_path, key_a, 0, &a) == HAMLET_OK);
  hamlet_close(a);

  for (const char* suffix = ""; suffix; suffix = (*suffix == 0) ? "-wal" : (suffix[1] == 'w' ? "-shm" : NULL)) {
    char p[4300];
    snprintf(p, sizeof p, "%s%s", a_path, suffix);
    unlink(p);
    snprintf(p, sizeof p, "%s%s", b_path, suffix);
    unlink(p);
  }
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
