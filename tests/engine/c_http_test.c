/* The ready-made hub transport (hamlet_http.h) from plain C, against a real
   hamlet-hub process: publish, invite and join, sync both ways with
   progress, revocation, a hub that is down, and bad arguments.
   Usage: c_http_test HUB_BINARY DIR, where DIR is a scratch directory. */
#include <hamlet.h>
#include <hamlet_http.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "c_check.h"

/* Starts `hub serve` on a free loopback port; sets *pid, returns the port. */
static int start_hub(const char* binary, const char* data, pid_t* pid) {
  int out[2];
  if (pipe(out) != 0) return -1;
  *pid = fork();
  if (*pid < 0) return -1;
  if (*pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(binary, "hamlet-hub", "serve", "--data", data, "--listen", "127.0.0.1:0", (char*)NULL);
    _exit(127);
  }
  close(out[1]);
  char line[256] = {0};
  size_t n = 0;
  char c;
  while (n + 1 < sizeof line && read(out[0], &c, 1) == 1 && c != '\n') line[n++] = c;
  close(out[0]);
  const char* colon = strrchr(line, ':');
  if (strncmp(line, "hamlet-hub listening on", 23) != 0 || colon == NULL) return -1;
  return atoi(colon + 1);
}

static void stop_hub(pid_t pid) {
  int status = 0;
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
}

static int progress_calls = 0;
static uint64_t progress_commits = 0;

static void on_progress(void* ctx, const char* phase, uint64_t commits, uint64_t bytes, uint64_t retries) {
  (void)bytes;
  (void)retries;
  CHECK(ctx == &progress_calls);
  CHECK(strcmp(phase, "push") == 0 || strcmp(phase, "pull") == 0 || strcmp(phase, "upload") == 0 ||
        strcmp(phase, "download") == 0);
  progress_calls++;
  if (commits > progress_commits) progress_commits = commits;
}

/* The 32 hex digits after "key":" (or "key":[" ) in json, into out. */
static void id_after(const char* json, const char* key, char out[33]) {
  out[0] = 0;
  const char* at = json ? strstr(json, key) : NULL;
  if (!at) return;
  at = strchr(at + strlen(key), '"');
  if (!at || strlen(at + 1) < 32) return;
  memcpy(out, at + 1, 32);
  out[32] = 0;
}

/* Stops the sync it is told of, once. */
static hamlet_hub* to_cancel = NULL;
static int cancel_calls = 0;

static void cancel_on_progress(void* ctx, const char* phase, uint64_t commits, uint64_t bytes, uint64_t retries) {
  (void)ctx;
  (void)phase;
  (void)commits;
  (void)bytes;
  (void)retries;
  if (to_cancel != NULL) {
    CHECK(hamlet_hub_cancel(to_cancel) == HAMLET_OK);
    to_cancel = NULL;
    cancel_calls++;
  }
}

static int link_down_calls = 0;
static int64_t link_give_up_ms = 0;

static void on_link(void* ctx, int link_down, int64_t waiting_ms, int64_t give_up_ms) {
  CHECK(ctx == &link_down_calls);
  CHECK(waiting_ms >= 0);
  if (link_down) link_down_calls++;
  link_give_up_ms = give_up_ms;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: c_http_test HUB_BINARY DIR\n");
    return 2;
  }
  char data[4096], a_path[4096], b_path[4096], cmd[8400], url[64];
  snprintf(data, sizeof data, "%s/c_http_hub_%d", argv[2], (int)getpid());
  snprintf(a_path, sizeof a_path, "%s/c_http_a_%d.db", argv[2], (int)getpid());
  snprintf(b_path, sizeof b_path, "%s/c_http_b_%d.db", argv[2], (int)getpid());

  /* A token from the hub's operator. */
  char token[128] = {0};
  snprintf(cmd, sizeof cmd, "%s token create --data %s", argv[1], data);
  FILE* p = popen(cmd, "r");
  CHECK(p != NULL && fgets(token, sizeof token, p) != NULL);
  if (p) pclose(p);
  token[strcspn(token, "\r\n")] = 0;

  pid_t hub_pid;
  int port = start_hub(argv[1], data, &hub_pid);
  if (port <= 0) {
    fprintf(stderr, "cannot start %s\n", argv[1]);
    return 1;
  }
  snprintf(url, sizeof url, "http://127.0.0.1:%d", port);

  unsigned char key_a[32], key_b[32];
  for (int i = 0; i < 32; i++) {
    key_a[i] = (unsigned char)(i + 3);
    key_b[i] = (unsigned char)(200 - i);
  }
  hamlet_replica* a = NULL;
  hamlet_replica* b = NULL;
  CHECK(hamlet_open_with_key(a_path, key_a, HAMLET_OPEN_RELAXED, &a) == HAMLET_OK);
  CHECK(hamlet_open_with_key(b_path, key_b, HAMLET_OPEN_RELAXED, &b) == HAMLET_OK);
  if (!a || !b) return 1;

  /* Bad arguments. */
  hamlet_hub* bad = (hamlet_hub*)1;
  CHECK(hamlet_hub_open(a, "ftp://hub", &bad) == HAMLET_EINVALID);
  CHECK(bad == NULL);
  CHECK(strstr(hamlet_errmsg(), "http://") != NULL);
  CHECK(hamlet_hub_open(NULL, url, &bad) == HAMLET_EINVALID);
  hamlet_hub_close(NULL);

  hamlet_hub* ha = NULL;
  hamlet_hub* hb = NULL;
  CHECK(hamlet_hub_open(a, url, &ha) == HAMLET_OK);
  CHECK(hamlet_hub_open(b, url, &hb) == HAMLET_OK);
  if (!ha || !hb) return 1;
  CHECK(hamlet_hub_set_page_bytes(ha, 10) == HAMLET_EINVALID);
  CHECK(hamlet_hub_set_page_bytes(hb, 4096) == HAMLET_OK);
  CHECK(hamlet_hub_set_retries(ha, -1, 10, 100) == HAMLET_EINVALID);
  CHECK(hamlet_hub_set_give_up_after(ha, 999) == HAMLET_EINVALID);
  CHECK(hamlet_hub_set_retries(hb, 4, 10, 100) == HAMLET_OK);
  CHECK(hamlet_hub_sync(ha, "not a workspace", NULL) == HAMLET_EINVALID);

  /* The admin publishes a workspace and invites b, which joins through the hub. */
  char* ws = NULL;
  CHECK(hamlet_workspace_create(a, &ws) == HAMLET_OK);
  CHECK(hamlet_hub_publish(ha, ws, "wrong-token") == HAMLET_EDENIED);
  CHECK(hamlet_hub_publish(ha, ws, token) == HAMLET_OK);
  char* code = NULL;
  CHECK(hamlet_invite_create(a, ws, HAMLET_ROLE_CADRE, &code) == HAMLET_OK);
  char* joined_ws = NULL;
  char* invite = NULL;
  CHECK(hamlet_hub_request_join(hb, code, &joined_ws, &invite) == HAMLET_OK);
  CHECK(joined_ws && strcmp(joined_ws, ws) == 0);
  int rc = hamlet_hub_complete_join(hb, joined_ws, invite);
  CHECK(rc == HAMLET_EUNAVAILABLE);
  CHECK(hamlet_code_retryable(rc) == 1);
  size_t admitted = 0, refused = 0;
  CHECK(hamlet_hub_admit_pending(ha, ws, &admitted, &refused) == HAMLET_OK);
  CHECK(admitted == 1 && refused == 0);
  CHECK(hamlet_hub_complete_join(hb, joined_ws, invite) == HAMLET_OK);

  /* b records offline, then syncs with progress; a pulls it. */
  for (int i = 0; i < 30; i++) {
    char batch[256];
    snprintf(batch, sizeof batch,
             "[{\"op\":\"insert\",\"collection\":\"concerns\",\"fields\":{\"summary\":\"Ki\xe1\xba\xbfn ngh\xe1\xbb\x8b %d\"}}]",
             i);
    CHECK(hamlet_commit(b, ws, batch, NULL) == HAMLET_OK);
  }
  CHECK(hamlet_hub_set_progress(hb, on_progress, &progress_calls) == HAMLET_OK);
  hamlet_sync_report rep;
  CHECK(hamlet_hub_sync(hb, ws, &rep) == HAMLET_OK);
  CHECK(rep.pushed == 30);
  CHECK(rep.requests > 1 && rep.bytes_up > 0);
  CHECK(progress_calls > 1);
  CHECK(progress_commits == 30);
  /* a's first pull asks for the last 7 days first: all 30 are that recent,
     so nothing older is left. */
  CHECK(hamlet_hub_set_recent_first(ha, -1, 1) == HAMLET_EINVALID);
  CHECK(hamlet_hub_set_recent_first(ha, 7, 2) == HAMLET_EINVALID);
  CHECK(hamlet_hub_set_recent_first(ha, 7, 0) == HAMLET_OK);
  CHECK(hamlet_hub_sync(ha, ws, &rep) == HAMLET_OK);
  CHECK(rep.pulled == 30 && rep.applied == 30);
  uint64_t older_left = 99;
  CHECK(hamlet_hub_older_left(ha, ws, &older_left) == HAMLET_OK);
  CHECK(older_left == 0);
  CHECK(hamlet_hub_older_left(ha, "not a workspace", &older_left) == HAMLET_EINVALID);
  char *da = NULL, *db = NULL;
  CHECK(hamlet_state_digest(a, ws, &da) == HAMLET_OK);
  CHECK(hamlet_state_digest(b, ws, &db) == HAMLET_OK);
  CHECK(da && db && strcmp(da, db) == 0);

  /* Stopped from its progress callback (a push of one page: the callback
     runs before it is sent): a retryable HAMLET_ECANCELLED at once, and
     the next sync goes on. */
  CHECK(hamlet_hub_cancel(NULL) == HAMLET_EINVALID);
  CHECK(hamlet_hub_cancel(hb) == HAMLET_OK); /* No sync runs: nothing to stop. */
  for (int i = 0; i < 2; i++) {
    char batch[256];
    snprintf(batch, sizeof batch,
             "[{\"op\":\"insert\",\"collection\":\"concerns\",\"fields\":{\"summary\":\"Ph\xe1\xba\xa3n \xc3\xa1nh %d\"}}]", i);
    CHECK(hamlet_commit(b, ws, batch, NULL) == HAMLET_OK);
  }
  CHECK(hamlet_hub_set_progress(hb, cancel_on_progress, NULL) == HAMLET_OK);
  to_cancel = hb;
  rc = hamlet_hub_sync(hb, ws, &rep);
  CHECK(rc == HAMLET_ECANCELLED);
  CHECK(hamlet_code_retryable(rc) == 1);
  CHECK(cancel_calls == 1);
  CHECK(rep.pushed == 0);
  CHECK(hamlet_hub_set_progress(hb, NULL, NULL) == HAMLET_OK);
  CHECK(hamlet_hub_sync(hb, ws, &rep) == HAMLET_OK);
  CHECK(rep.pushed == 2);
  CHECK(hamlet_hub_sync(ha, ws, &rep) == HAMLET_OK);
  CHECK(rep.pulled == 2);
  hamlet_free(da);
  hamlet_free(db);
  da = db = NULL;
  CHECK(hamlet_state_digest(a, ws, &da) == HAMLET_OK);
  CHECK(hamlet_state_digest(b, ws, &db) == HAMLET_OK);
  CHECK(da && db && strcmp(da, db) == 0);

  /* b attaches a photo to a concern; its next sync sends it. a sees the
     reference, cannot read the file until it fetches it, and then reads
     it back byte for byte. */
  char* inserted = NULL;
  CHECK(hamlet_commit(b, ws,
                      "[{\"op\":\"insert\",\"collection\":\"concerns\",\"fields\":{\"summary\":\"\xe1\xba\xa2nh\"}}]",
                      &inserted) == HAMLET_OK);
  char concern[33], attachment[33];
  id_after(inserted, "\"ids\":[", concern);
  CHECK(strlen(concern) == 32);
  enum { kPhoto = 150000 };
  unsigned char* photo = malloc(kPhoto);
  for (int i = 0; i < kPhoto; i++) photo[i] = (unsigned char)(i * 7 + i / 300);
  char* attached = NULL;
  CHECK(hamlet_attach(b, ws, concern, photo, kPhoto, NULL, "image/jpeg", &attached) == HAMLET_EINVALID);
  CHECK(hamlet_attach(b, ws, concern, photo, kPhoto, "\xc4\x91\xc6\xa1n-th\xc6\xb0.jpg", "image/jpeg", &attached) ==
        HAMLET_OK);
  id_after(attached, "\"id\":", attachment);
  CHECK(strlen(attachment) == 32);
  CHECK(attached && strstr(attached, "\"held\":true") != NULL);
  CHECK(hamlet_hub_sync(hb, ws, &rep) == HAMLET_OK);
  CHECK(rep.files_sent == 1);
  CHECK(hamlet_hub_sync(ha, ws, &rep) == HAMLET_OK);
  char* listed = NULL;
  CHECK(hamlet_attachments(a, ws, concern, &listed) == HAMLET_OK);
  CHECK(listed && strstr(listed, attachment) != NULL && strstr(listed, "\"held\":false") != NULL);
  unsigned char* got = NULL;
  size_t got_len = 0;
  rc = hamlet_attachment_read(a, attachment, &got, &got_len);
  CHECK(rc == HAMLET_EPRECONDITION);
  CHECK(hamlet_hub_fetch_attachment(ha, ws, "not an id") == HAMLET_EINVALID);
  CHECK(hamlet_hub_fetch_attachment(ha, ws, attachment) == HAMLET_OK);
  CHECK(hamlet_attachment_read(a, attachment, &got, &got_len) == HAMLET_OK);
  CHECK(got_len == kPhoto && got && memcmp(got, photo, kPhoto) == 0);
  CHECK(hamlet_attachment_drop(b, attachment) == HAMLET_OK);
  hamlet_free(listed);
  listed = NULL;
  CHECK(hamlet_attachments(b, ws, NULL, &listed) == HAMLET_OK);
  CHECK(listed && strcmp(listed, "[]") == 0);
  hamlet_free(listed);
  hamlet_free(got);
  hamlet_free(attached);
  hamlet_free(inserted);
  free(photo);

  /* Revoked: refused, and retrying cannot help. */
  char* b_id = NULL;
  CHECK(hamlet_device_id(b, &b_id) == HAMLET_OK);
  CHECK(hamlet_hub_revoke(ha, ws, b_id) == HAMLET_OK);
  rc = hamlet_hub_sync(hb, ws, &rep);
  CHECK(rc == HAMLET_EDENIED);
  CHECK(hamlet_code_retryable(rc) == 0);
  CHECK(strstr(hamlet_errmsg(), "revoked") != NULL);

  /* The hub is down: a retryable failure after the tries run out. */
  stop_hub(hub_pid);
  CHECK(hamlet_hub_set_retries(ha, 2, 10, 20) == HAMLET_OK);
  rc = hamlet_hub_sync(ha, ws, &rep);
  CHECK(rc == HAMLET_EUNAVAILABLE);
  CHECK(hamlet_code_retryable(rc) == 1);
  CHECK(rep.retries >= 1);

  /* With no count of tries, it goes on for the give-up time, telling the
     link watch that the link is down, and then fails in words. */
  CHECK(hamlet_hub_set_retries(ha, 0, 10, 20) == HAMLET_OK);
  CHECK(hamlet_hub_set_give_up_after(ha, 1000) == HAMLET_OK);
  CHECK(hamlet_hub_set_link_watch(ha, on_link, &link_down_calls) == HAMLET_OK);
  rc = hamlet_hub_sync(ha, ws, &rep);
  CHECK(rc == HAMLET_EUNAVAILABLE);
  CHECK(strstr(hamlet_errmsg(), "nothing came through for") != NULL);
  CHECK(strstr(hamlet_errmsg(), "could not connect to the hub") != NULL);
  CHECK(link_down_calls >= 1);
  CHECK(link_give_up_ms == 1000);
  CHECK(rep.retries >= 1);

  hamlet_free(ws);
  hamlet_free(code);
  hamlet_free(joined_ws);
  hamlet_free(invite);
  hamlet_free(da);
  hamlet_free(db);
  hamlet_free(b_id);
  hamlet_hub_close(ha);
  hamlet_hub_close(hb);
  hamlet_close(a);
  hamlet_close(b);
  unlink(a_path);
  unlink(b_path);
  snprintf(cmd, sizeof cmd, "rm -rf %s", data);
  CHECK(system(cmd) == 0);
  printf("%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
