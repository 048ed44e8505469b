/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mvdns-control: owns the hosted zones and health checks, persists them,
 * serves the control API on a unix socket and feeds every dataplane over
 * shared memory. One thread: a poll() loop that handles requests one at a
 * time, drains the health-check engine's status changes (the engine probes
 * in a thread of its own) and looks for dataplanes every PEERS_SCAN_MS.
 * Periodic snapshots are written by a short-lived child process (service.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "checker.h"
#include "peers.h"
#include "server.h"
#include "service.h"

#define PEERS_SCAN_MS    100
#define SNAPSHOT_EVERY   1000 /* journal records between snapshots */
#define NAME_SERVERS_MAX 13
#define CHANNELS_MAX     64
#define SHM_DIR          "/dev/shm"

struct options {
	const char *state_dir;
	const char *socket;
	const char *shm_dir;
	const char *name_servers[NAME_SERVERS_MAX];
	size_t name_server_count;
	const char *channels[CHANNELS_MAX];
	size_t channel_count;
	size_t snapshot_every;
	int foreground;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mvdns-control [--state-dir DIR] [--socket PATH] [--name-server NAME]...\n"
		"                     [--snapshot-every N] [--shm-dir DIR] [--channel NAME]...\n"
		"                     [--foreground]\n"
		"  --state-dir DIR     journal, snapshot and lock (default " MV_CONTROL_STATE_DIR
		")\n"
		"  --socket PATH       control socket (default " MV_CONTROL_SOCKET ")\n"
		"  --name-server NAME  name server of new zones, repeatable (default ns1.<zone>)\n"
		"  --snapshot-every N  journal records between snapshots (default 1000)\n"
		"  --shm-dir DIR       where dataplanes' channels appear (default " SHM_DIR ")\n"
		"  --channel NAME      feed only the dataplane channel NAME (its --channel),\n"
		"                      repeatable (default: every channel in the directory)\n"
		"  --foreground        do not detach; logs go to stderr either way\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"state-dir", required_argument, NULL, 'd'},
		{"socket", required_argument, NULL, 's'},
		{"name-server", required_argument, NULL, 'n'},
		{"snapshot-every", required_argument, NULL, 'S'},
		{"shm-dir", required_argument, NULL, 'm'},
		{"channel", required_argument, NULL, 'c'},
		{"foreground", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	*o = (struct options){.state_dir = MV_CONTROL_STATE_DIR,
			      .socket = MV_CONTROL_SOCKET,
			      .shm_dir = SHM_DIR,
			      .snapshot_every = SNAPSHOT_EVERY};
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->state_dir = optarg;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'm':
			o->shm_dir = optarg;
			break;
		case 'n':
			if (o->name_server_count == NAME_SERVERS_MAX) {
				fprintf(stderr, "mvdns-control: at most %d name servers\n",
					NAME_SERVERS_MAX);
				return -EINVAL;
			}
			o->name_servers[o->name_server_count++] = optarg;
			break;
		case 'c':
			if (o->channel_count == CHANNELS_MAX) {
				fprintf(stderr, "mvdns-control: at most %d channels\n",
					CHANNELS_MAX);
				return -EINVAL;
			}
			o->channels[o->channel_count++] = optarg;
			break;
		case 'S':
			o->snapshot_every = strtoul(optarg, &end, 10);
			if (*end != '\0' || end == optarg) {
				fprintf(stderr, "mvdns-control: bad --snapshot-every %s\n", optarg);
				return -EINVAL;
			}
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/*
 * mkdir -p dir (mode 0700), then hold an exclusive lock on dir/lock (flock:
 * released when the process ends, however it ends). Returns the fd or -errno.
 */
static int state_lock(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int rc = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* Write our pid into the lock file, for operators (after daemon(): the final pid). */
static void state_lock_pid(int fd)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
		perror("mvdns-control: lock file");
}

static char *on_request(void *arg, const char *line, size_t len)
{
	return service_handle(arg, line, len);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void on_health(void *arg)
{
	service_health_drain(arg);
}

/*
 * The engine probes up to half the open-file soft limit at once: raise it to
 * the hard limit (best effort; thousands of checks need it).
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Serve until a signal (returns 0) or a fatal error (returns -errno). */
static int run(struct server *srv, struct peers *peers, struct service *svc)
{
	long next_scan = now_ms() + PEERS_SCAN_MS;

	while (!stop_signal) {
		int step = peers_step(peers); /* a slice of a dataplane's full state */
		long wait = next_scan - now_ms();

		if (step >= 0 && wait > step)
			wait = step;
		int rc = server_poll(srv, wait > 0 ? (int)wait : 0);

		if (rc == -ESHUTDOWN)
			return rc; /* the journal failed: logged */
		if (rc < 0 && rc != -EINTR) {
			fprintf(stderr, "mvdns-control: control socket: %s\n", strerror(-rc));
			return rc;
		}
		service_reap(svc, false); /* a background snapshot that finished */
		if (now_ms() >= next_scan) {
			peers_scan(peers);
			next_scan = now_ms() + PEERS_SCAN_MS;
		}
	}
	fprintf(stderr, "mvdns-control: %s, stopping\n", strsignal(stop_signal));
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct service_config cfg;
	struct service *svc = NULL;
	struct server *srv = NULL;
	struct peers *peers = NULL;
	struct zones *zones = NULL;
	struct mv_checker *checker = NULL;
	struct options o;
	int lock = -1, rc;

	if (parse_options(argc, argv, &o) != 0)
		return 2;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Keep the memory a batch freed for the next one: by default glibc
	 * returns it to the kernel (heap trimming, and mmap for large blocks
	 * such as a request's copy), and the next batch pays a page fault per
	 * 4 KiB again, a sixth of a 1,000-change batch's time (bench/HISTORY.md, sixth stop).
	 */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	rc = lock = state_lock(o.state_dir);
	if (rc < 0) {
		fprintf(stderr, "mvdns-control: state directory %s: %s\n", o.state_dir,
			rc == -EBUSY ? "in use by another mvdns-control" : strerror(-rc));
		goto finish;
	}
	cfg = (struct service_config){o.state_dir, o.name_servers, o.name_server_count,
				      o.snapshot_every};
	rc = -ENOMEM;
	zones = zones_create();
	if (zones == NULL)
		goto finish;
	svc = service_open(&cfg, zones);
	if (svc == NULL) {
		rc = -errno;
		goto finish;
	}
	srv = server_open(o.socket, on_request, svc);
	if (srv == NULL) {
		rc = -errno;
		fprintf(stderr, "mvdns-control: socket %s: %s\n", o.socket, strerror(errno));
		goto finish;
	}
	if (!o.foreground && daemon(1, 1) != 0) {
		rc = -errno;
		perror("mvdns-control: daemon");
		goto finish;
	}
	state_lock_pid(lock);
	peers = peers_create(o.shm_dir, zones); /* after daemon(): ctl_pid is our pid */
	if (peers == NULL)
		goto finish;
	rc = peers_restrict(peers, o.channels, o.channel_count);
	if (rc != 0) {
		fprintf(stderr, "mvdns-control: --channel: %s\n", strerror(-rc));
		goto finish;
	}
	raise_nofile();
	checker = mv_checker_create(); /* after daemon(): its thread would not survive it */
	if (checker == NULL) {
		rc = -errno;
		fprintf(stderr, "mvdns-control: health-check engine: %s\n", strerror(errno));
		goto finish;
	}
	rc = service_set_checker(svc, checker);
	if (rc != 0)
		goto finish;
	server_watch(srv, mv_checker_event_fd(checker), on_health, svc);
	service_set_peers(svc, peers);
	peers_scan(peers);
	fprintf(stderr, "mvdns-control: ready: socket %s, state %s, pid %ld\n", o.socket,
		o.state_dir, (long)getpid());
	rc = run(srv, peers, svc);
	if (rc == 0)
		rc = service_checkpoint(svc); /* only a consistent state is snapshotted */
finish:
	server_close(srv);
	mv_checker_destroy(checker);
	peers_destroy(peers);
	service_close(svc);
	zones_destroy(zones);
	if (lock >= 0)
		close(lock);
	return rc == 0 ? 0 : 1;
}
