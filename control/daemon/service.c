/* SPDX-License-Identifier: BSD-3-Clause */
#include "service.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "journal.h"
#include "ops.h"
#include "render.h"
#include "snapshot.h"

struct service {
	struct service_config cfg;
	struct zones *zones;
	struct peers *peers;
	struct mv_checker *checker; /* service_set_checker; NULL: none */
	struct journal *journal;
	uint64_t lsn;    /* of the last record the state includes */
	size_t replayed; /* journal records applied at start-up */
	size_t due;      /* journal records at which to snapshot next */
	/* The child writing a snapshot in the background (0: none), and the
	 * lsn of the state it was forked with: what its snapshot holds. */
	pid_t saver;
	uint64_t saved_lsn;
	double saver_began; /* seconds (CLOCK_MONOTONIC), for the log */
	double fork_ms;
	struct mv_error err;
	/* service_health_drain's room for one status per check, kept from one
	 * request to the next (it runs after every request). */
	struct feed_health *drained;
	size_t drained_cap;
};

static void ctx_init(struct service *a, struct ops_ctx *ctx, json_t *replay)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->zones = a->zones;
	ctx->peers = a->peers;
	ctx->checker = replay != NULL ? NULL : a->checker;
	ctx->name_servers = a->cfg.name_servers;
	ctx->name_server_count = a->cfg.name_server_count;
	ctx->replay = replay;
}

/* ---- replay ---- */

/* A SERVICE_HEALTH_RECORD: {"<health check id>": healthy, ...}, Generated {"Seq"}. */
static void replay_statuses(struct service *a, json_t *params, json_t *gen)
{
	json_int_t seq = 0;
	const char *id;
	json_t *v;

	a->replayed++;
	if (json_unpack(gen, "{s:I}", "Seq", &seq) == 0 && seq > 0)
		zones_seq_raise(a->zones, (uint64_t)seq);
	json_object_foreach(params, id, v)
	{
		struct checks_check *check = checks_find(zones_checks(a->zones), id);

		if (check != NULL && json_is_boolean(v)) /* a check deleted since is skipped */
			check->healthy = json_is_true(v);
	}
}

/*
 * The operation, parameters and generated values of a journal record:
 * {"Generated": G, "Request": {"Operation": O, "Params": P}} (journal_write),
 * or {"Operation": O, "Params": P, "Generated": G} as earlier versions wrote.
 * *params is a new reference (or NULL) for the caller to release.
 */
static bool record_request(json_t *rec, const char **op, json_t **params, json_t **gen)
{
	json_t *req = json_object_get(rec, "Request");

	*params = NULL;
	if (req == NULL) {
		if (rec == NULL || json_unpack(rec, "{s:s,s:O,s:o}", "Operation", op, "Params",
					       params, "Generated", gen) != 0)
			return false;
	} else {
		*params = json_object_get(req, "Params");
		/* A request may leave Params out: the operation sees an empty object. */
		*params = *params != NULL ? json_incref(*params) : json_object();
		*gen = json_object_get(rec, "Generated");
		*op = json_string_value(json_object_get(req, "Operation"));
	}
	return *op != NULL && *gen != NULL && json_is_object(*params);
}

static void replay_record(uint64_t lsn, const char *payload, uint32_t len, void *arg)
{
	struct service *a = arg;
	json_t *rec = json_loadb(payload, len, JSON_REJECT_DUPLICATES, NULL), *params, *gen;
	json_t *owned = NULL; /* the parameters of a write, a reference of ours */
	const struct ops_def *def = NULL;
	json_t *result = NULL;
	struct ops_ctx ctx;
	const char *op = "?";

	if (lsn <= a->lsn) /* already in the snapshot */
		goto finish;
	if (lsn != a->lsn + 1)
		fprintf(stderr, "mvdns-control: journal: record %lu follows %lu\n",
			(unsigned long)lsn, (unsigned long)a->lsn);
	a->lsn = lsn;
	if (rec != NULL &&
	    json_unpack(rec, "{s:s,s:o,s:o}", "Operation", &op, "Params", &params, "Generated",
			&gen) == 0 &&
	    strcmp(op, SERVICE_HEALTH_RECORD) == 0) {
		replay_statuses(a, params, gen);
		goto finish;
	}
	if (!record_request(rec, &op, &owned, &gen) || (def = ops_find(op)) == NULL ||
	    !def->writes) {
		fprintf(stderr, "mvdns-control: journal: record %lu (%s) is malformed; skipped\n",
			(unsigned long)lsn, op != NULL ? op : "?");
		goto finish;
	}
	ctx_init(a, &ctx, gen);
	a->replayed++;
	if (def->fn(&ctx, owned, &result, &a->err) != 0)
		fprintf(stderr,
			"mvdns-control: journal: record %lu (%s) failed on replay: %s: %s\n",
			(unsigned long)lsn, op, a->err.code,
			a->err.count > 0 ? a->err.messages[0] : "");
	json_decref(result);
	ops_ctx_clear(&ctx);
finish:
	json_decref(owned);
	json_decref(rec);
}

struct service *service_open(const struct service_config *cfg, struct zones *zones)
{
	struct service *a = calloc(1, sizeof(*a));
	char path[PATH_MAX];
	uint64_t snapshot_lsn;
	int rc = -ENOMEM;

	if (a == NULL)
		goto fail;
	a->cfg = *cfg;
	a->zones = zones;
	a->due = cfg->snapshot_every;
	rc = snapshot_load(zones, cfg->state_dir, &a->lsn);
	if (rc != 0)
		goto fail;
	snapshot_lsn = a->lsn;
	snprintf(path, sizeof(path), "%s/%s", cfg->state_dir, SERVICE_JOURNAL_FILE);
	a->journal = journal_open(path, replay_record, a);
	if (a->journal == NULL) {
		rc = -errno;
		fprintf(stderr, "mvdns-control: journal %s: %s\n", path, strerror(errno));
		goto fail;
	}
	/* Sealed segments the snapshot holds: left by a stop between the two. */
	journal_drop_sealed(a->journal, snapshot_lsn);
	fprintf(stderr,
		"mvdns-control: state restored from %s: %zu hosted zone(s), %zu journal "
		"record(s) replayed, lsn %lu\n",
		cfg->state_dir, zones_count(zones), a->replayed, (unsigned long)a->lsn);
	return a;
fail:
	free(a);
	errno = -rc;
	return NULL;
}

void service_set_peers(struct service *a, struct peers *peers)
{
	a->peers = peers;
}

int service_set_checker(struct service *a, struct mv_checker *checker)
{
	const struct checks *c = zones_checks(a->zones);

	for (size_t i = 0; checker != NULL && i < checks_count(c); i++) {
		const struct checks_check *check = checks_at(c, i);
		int rc = mv_checker_add(checker, check->index, &check->config, check->healthy);

		if (rc != 0) {
			fprintf(stderr,
				"mvdns-control: health check %s: the engine refused it: %s\n",
				check->id, strerror(-rc));
			return rc;
		}
	}
	a->checker = checker;
	if (checker != NULL && checks_count(c) > 0)
		fprintf(stderr, "mvdns-control: %zu health check(s) restored\n", checks_count(c));
	return 0;
}

/* Stop a background snapshot, if one runs, and reap it: its state is already old. */
static void saver_stop(struct service *a)
{
	if (a->saver == 0)
		return;
	kill(a->saver, SIGKILL);
	while (waitpid(a->saver, NULL, 0) < 0 && errno == EINTR)
		;
	a->saver = 0;
}

/* Whether dir's snapshot holds the whole state: nothing was journaled after it. */
static bool snapshot_current(const struct service *a)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", a->cfg.state_dir, SNAPSHOT_FILE);
	return journal_records(a->journal) == 0 && a->lsn > 0 && access(path, F_OK) == 0;
}

int service_checkpoint(struct service *a)
{
	int rc;

	/* A background snapshot of the state as it still is: let it finish. */
	if (a->saver != 0 && a->lsn == a->saved_lsn)
		service_reap(a, true);
	if (a->saver == 0 && snapshot_current(a))
		return 0;
	saver_stop(a); /* its state is old, and it would write the same temporary file */
	rc = snapshot_save(a->zones, a->lsn, a->cfg.state_dir);

	if (rc == 0)
		rc = journal_truncate(a->journal);
	if (rc == 0)
		a->due = a->cfg.snapshot_every;
	if (rc != 0)
		fprintf(stderr, "mvdns-control: snapshot in %s failed: %s (the journal is kept)\n",
			a->cfg.state_dir, strerror(-rc));
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Snapshot in a child process, so that requests go on meanwhile: fork's
 * copy-on-write gives the child the state as it is now, and the journal's
 * sealed segments are what its snapshot will hold. The child closes every
 * descriptor but the standard ones first (a client the parent closes must
 * see the end of its connection), yields the CPU to the parent (nice),
 * removes the sealed segments once its snapshot is durable (unlinking a
 * 270 MB segment took 220 ms here: not the parent's to wait for) and leaves
 * by _exit: none of the parent's resources are its to release.
 * Without fork, the snapshot is taken here, as service_checkpoint does.
 */
static void saver_start(struct service *a)
{
	double began = now_s();
	int rc = journal_rotate(a->journal); /* the records the snapshot will hold */
	pid_t pid;

	if (rc != 0) {
		fprintf(stderr,
			"mvdns-control: snapshot: sealing the journal: %s; taking it in the "
			"foreground\n",
			strerror(-rc));
		service_checkpoint(a);
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		close_range(3, ~0u, 0);
		setpriority(PRIO_PROCESS, 0, 10);
		if (snapshot_save(a->zones, a->lsn, a->cfg.state_dir) != 0)
			_exit(1);
		(void)journal_drop_sealed(a->journal, a->lsn); /* the parent's drop reports */
		_exit(0);
	}
	if (pid < 0) {
		fprintf(stderr, "mvdns-control: snapshot: fork: %s; taking it in the foreground\n",
			strerror(errno));
		service_checkpoint(a);
		return;
	}
	a->saver = pid;
	a->saved_lsn = a->lsn;
	a->saver_began = began;
	a->fork_ms = (now_s() - began) * 1e3;
}

bool service_reap(struct service *a, bool wait)
{
	int status, rc;
	pid_t r;

	if (a->saver == 0)
		return false;
	do
		r = waitpid(a->saver, &status, wait ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return true;
	a->saver = 0;
	if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = r < 0 ? -errno : -EIO;
		fprintf(stderr,
			"mvdns-control: snapshot in %s failed in the background%s (the journal is "
			"kept)\n",
			a->cfg.state_dir, r >= 0 && WIFSIGNALED(status) ? ": killed" : "");
	} else {
		rc = journal_drop_sealed(a->journal, a->saved_lsn);
		if (rc != 0)
			fprintf(stderr,
				"mvdns-control: journal: removing what the snapshot holds failed: "
				"%s (it is replayed and skipped at the next start)\n",
				strerror(-rc));
		else
			fprintf(stderr,
				"mvdns-control: snapshot at lsn %lu written in the background in "
				"%.2f s (journal sealed and child forked in %.1f ms); the journal "
				"keeps %zu later record(s)\n",
				(unsigned long)a->saved_lsn, now_s() - a->saver_began, a->fork_ms,
				journal_records(a->journal));
	}
	/* The next one is due snapshot_every records on; after a failure, counted from now. */
	a->due = (rc == 0 ? 0 : journal_records(a->journal)) + a->cfg.snapshot_every;
	return false;
}

void service_close(struct service *a)
{
	if (a == NULL)
		return;
	saver_stop(a);
	journal_close(a->journal);
	free(a->drained);
	free(a);
}

/* ---- requests ---- */

/*
 * Write a write's journal record: what the operation generated, and the
 * request line as it came (parsed and checked already: encoding it again
 * would only cost time, a third of a 1,000-change batch's). Not durable yet:
 * journal_sync follows (conclude). Returns 0 or -errno (then the daemon must
 * stop).
 */
static int journal_write(struct service *a, const char *op, const char *line, size_t len,
			 struct ops_ctx *ctx)
{
	static const char head[] = "{\"Generated\":", mid[] = ",\"Request\":";
	char *gen = ctx->generated != NULL ? json_dumps(ctx->generated, JSON_COMPACT) : NULL;
	size_t glen = gen != NULL ? strlen(gen) : 0;
	size_t n = sizeof(head) - 1 + glen + sizeof(mid) - 1 + len + 1;
	char *text = gen != NULL && n <= UINT32_MAX ? malloc(n) : NULL;
	int rc = -ENOMEM;

	if (text != NULL) {
		char *p = text;
		memcpy(p, head, sizeof(head) - 1);
		p += sizeof(head) - 1;
		memcpy(p, gen, glen);
		p += glen;
		memcpy(p, mid, sizeof(mid) - 1);
		p += sizeof(mid) - 1;
		memcpy(p, line, len);
		p[len] = '}';
		rc = journal_append_lazy(a->journal, a->lsn + 1, text, (uint32_t)n);
	}
	if (rc == 0)
		a->lsn++;
	else
		fprintf(stderr, "mvdns-control: journal: cannot record %s: %s; stopping\n", op,
			strerror(-rc));
	free(text);
	free(gen);
	return rc;
}

static json_t *request_error(struct service *a, const char *op, const char *fmt, const char *arg)
{
	mv_error_init(&a->err, "InvalidInput");
	mv_error_add(&a->err, fmt, arg);
	return render_error(&a->err, op);
}

/*
 * After operation op ran on ctx with rc and result: journal and publish a
 * write, then the response object; NULL when the daemon must stop.
 */
static json_t *conclude(struct service *a, const char *op, const char *line, size_t len,
			struct ops_ctx *ctx, int rc, json_t *result)
{
	int sync;

	if (ctx->mutated) {
		if (journal_write(a, op, line, len, ctx) != 0) {
			json_decref(result);
			return NULL;
		}
		/*
		 * The dataplanes get the batch while the disk writes the record:
		 * the fdatasync no longer delays serving it. The answer still
		 * waits for it. This never leaves a dataplane serving what the
		 * journal lacks after a restart: the record is written (in the
		 * page cache) before the batch is published, so if this process
		 * dies, the kernel still writes the record and the next control
		 * process replays it; if the machine goes down, the dataplanes go
		 * with it and start empty, fed from the journal; if the fdatasync
		 * fails, we stop without answering, and the next control process
		 * sends every dataplane its full state (SYNC_BEGIN, peers.h),
		 * which replaces whatever it had, this batch included.
		 */
		if (a->peers != NULL && (ctx->nowners > 0 || ctx->nhealth > 0))
			peers_publish_batch(a->peers, ctx->health, ctx->nhealth,
					    (const uint8_t(*)[MVDNS_NAME_MAX])ctx->owners,
					    ctx->nowners, ctx->seq);
		sync = journal_sync(a->journal);
		if (sync != 0) {
			fprintf(stderr, "mvdns-control: journal: cannot record %s: %s; stopping\n",
				op, strerror(-sync));
			json_decref(result);
			return NULL;
		}
	}
	if (rc == 0 && result == NULL) {
		mv_error_init(&a->err, "InternalError");
		mv_error_add(&a->err, "Out of memory");
		rc = -ENOMEM;
	}
	return rc != 0 ? render_error(&a->err, op) : json_pack("{s:o}", "Result", result);
}

/* Run one request; returns the response object, or NULL when the daemon must stop. */
static json_t *dispatch(struct service *a, json_t *req, const char *line, size_t len)
{
	const char *op = NULL, *key;
	const struct ops_def *def;
	json_t *params, *result = NULL, *v;
	struct ops_ctx ctx;
	int rc;

	json_object_foreach(req, key, v)
	{
		if (strcmp(key, "Operation") != 0 && strcmp(key, "Params") != 0)
			return request_error(a, "?", "Unknown request member \"%s\"", key);
	}
	op = json_string_value(json_object_get(req, "Operation"));
	if (op == NULL)
		return request_error(a, "?", "%s", "The request has no Operation string");
	def = ops_find(op);
	if (def == NULL)
		return request_error(a, op, "Unknown or unsupported operation %s", op);
	params = json_object_get(req, "Params");
	if (params != NULL && !json_is_object(params))
		return request_error(a, op, "%s", "Params must be an object");
	params = params != NULL ? json_incref(params) : json_object();
	ctx_init(a, &ctx, NULL);
	rc = def->fn(&ctx, params, &result, &a->err);
	result = conclude(a, op, line, len, &ctx, rc, result);
	ops_ctx_clear(&ctx);
	json_decref(params);
	return result;
}

/*
 * A ChangeResourceRecordSets of the plain shape, without a JSON tree
 * (ops_change_sets_line). Returns whether it ran; *resp as dispatch's.
 */
static bool dispatch_fast(struct service *a, const char *line, size_t len, json_t **resp)
{
	json_t *result = NULL;
	struct ops_ctx ctx;
	bool taken;
	int rc;

	ctx_init(a, &ctx, NULL);
	rc = ops_change_sets_line(&ctx, line, len, &taken, &result, &a->err);
	if (taken)
		*resp = conclude(a, "ChangeResourceRecordSets", line, len, &ctx, rc, result);
	ops_ctx_clear(&ctx);
	return taken;
}

/*
 * Snapshot in the background when the journal has grown enough and no
 * snapshot is being written; a failure is retried later (service_reap).
 */
static void maybe_checkpoint(struct service *a)
{
	if (a->cfg.snapshot_every > 0 && !service_reap(a, false) &&
	    journal_records(a->journal) >= a->due)
		saver_start(a);
}

/* ---- health check statuses ---- */

struct drain_ctx {
	struct service *a;
	struct feed_health *st; /* room for every check: a check is reported once a drain */
	size_t n, cap;
	json_t *rec; /* {"<id>": healthy} for the journal */
};

static void on_status(uint32_t index, bool healthy, void *arg)
{
	struct drain_ctx *d = arg;
	struct checks_check *check = checks_by_index(zones_checks(d->a->zones), index);

	if (check == NULL || check->healthy == healthy || d->n == d->cap)
		return; /* removed, or a flip and back between two drains */
	check->healthy = healthy;
	d->st[d->n++] = (struct feed_health){index, healthy ? MV_CHAN_HEALTHY : MV_CHAN_UNHEALTHY};
	if (d->rec != NULL && json_object_set_new(d->rec, check->id, json_boolean(healthy)) != 0) {
		json_decref(d->rec);
		d->rec = NULL;
	}
}

/* Journal the statuses without fdatasync (journal.h); a failure only costs them at a restart. */
static void journal_statuses(struct service *a, json_t *statuses, uint64_t seq)
{
	json_t *rec = statuses == NULL
			      ? NULL
			      : json_pack("{s:s,s:O,s:{s:I}}", "Operation", SERVICE_HEALTH_RECORD,
					  "Params", statuses, "Generated", "Seq", (json_int_t)seq);
	char *text = rec != NULL ? json_dumps(rec, JSON_COMPACT) : NULL;
	int rc = text == NULL ? -ENOMEM
			      : journal_append_lazy(a->journal, a->lsn + 1, text,
						    (uint32_t)strlen(text));

	if (rc == 0)
		a->lsn++;
	else
		fprintf(stderr, "mvdns-control: journal: health statuses not recorded: %s\n",
			strerror(-rc));
	free(text);
	json_decref(rec);
}

size_t service_health_drain(struct service *a)
{
	struct drain_ctx d = {a, NULL, 0, checks_count(zones_checks(a->zones)), NULL};
	uint64_t seq;

	if (a->checker == NULL || d.cap == 0)
		return 0;
	if (a->drained_cap < d.cap) {
		struct feed_health *st = realloc(a->drained, d.cap * sizeof(*st));
		if (st == NULL)
			return 0; /* the changes stay queued: the next turn tries again */
		a->drained = st;
		a->drained_cap = d.cap;
	}
	d.st = a->drained;
	d.rec = json_object();
	if (d.rec == NULL)
		return 0;
	mv_checker_drain(a->checker, on_status, &d);
	if (d.n > 0) {
		seq = zones_seq(a->zones) + 1;
		zones_seq_raise(a->zones, seq);
		/* The dataplanes first: the record is not durable before them anyway. */
		if (a->peers != NULL)
			peers_publish_batch(a->peers, d.st, d.n, NULL, 0, seq);
		journal_statuses(a, d.rec, seq);
		maybe_checkpoint(a);
	}
	json_decref(d.rec);
	return d.n;
}

/* ---- the request handler ---- */

char *service_handle(struct service *a, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req = NULL, *resp = NULL;
	char *text;

	if (!dispatch_fast(a, line, len, &resp)) {
		req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
		if (req == NULL || !json_is_object(req))
			resp = request_error(a, "?", "Malformed request: %s",
					     req == NULL ? jerr.text : "not a JSON object");
		else
			resp = dispatch(a, req, line, len);
		json_decref(req);
	}
	if (resp == NULL)
		return NULL;
	/* SetHealthCheckStatus, UpdateHealthCheck: the dataplanes have it before the answer. */
	service_health_drain(a);
	text = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	if (text == NULL)
		text = strdup("{\"Error\":{\"Code\":\"InternalError\",\"Message\":\"Out of "
			      "memory\"}}");
	maybe_checkpoint(a);
	return text;
}
