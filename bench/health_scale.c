/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How much CPU the health-check engine needs for many checks: N checks
 * (default 10,000) at RequestInterval 10 against in-process endpoints on
 * 127.0.0.1 (E listening ports served by two epoll threads, answering every
 * HTTP request with a canned 200 and accepting then closing TCP probes), for
 * S seconds (default 30). Reports probes completed per second, the process's
 * CPU time per second (getrusage: user + system), the endpoint threads' share
 * and the rest (the engine thread, as the main thread sleeps). "refused"
 * closes every port first, to measure the failure path.
 *
 *   ninja -C build control/health/health_scale
 *   build/control/health/health_scale [checks [seconds [http|tcp|str|mix|refused [endpoints]]]]
 *
 * Not part of make check: it runs for half a minute and needs ~2 x the
 * concurrency cap in file descriptors (it raises its own RLIMIT_NOFILE).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "checker.h"

#define SERVERS 2

static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 16\r\nConnection: close\r\n\r\n"
			    "all is well here";

struct server {
	pthread_t thread;
	int epfd;
	int *listeners; /* nlisten fds, level-triggered */
	int nlisten;
	atomic_int stop;
};

static int is_listener(const struct server *s, int fd)
{
	for (int i = 0; i < s->nlisten; i++)
		if (s->listeners[i] == fd)
			return 1;
	return 0;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	struct epoll_event evs[256];
	char buf[4096];

	while (!s->stop) {
		int n = epoll_wait(s->epfd, evs, 256, 100);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd, cfd;
			ssize_t got;

			if (is_listener(s, fd)) {
				while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event ev = {.events = EPOLLIN, .data.fd = cfd};

					epoll_ctl(s->epfd, EPOLL_CTL_ADD, cfd, &ev);
				}
				continue;
			}
			got = recv(fd, buf, sizeof(buf), 0);
			if (got < 0 && errno == EAGAIN)
				continue;
			if (got > 0)
				send(fd, reply, sizeof(reply) - 1, MSG_NOSIGNAL);
			close(fd); /* answered, or a TCP probe that closed */
		}
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rusage_s(struct rusage *ru)
{
	getrusage(RUSAGE_SELF, ru);
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
	       (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

static void count_flip(uint32_t id, bool healthy, void *arg)
{
	(void)id, (void)healthy;
	++*(unsigned *)arg;
}

int main(int argc, char **argv)
{
	unsigned checks = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
	unsigned seconds = argc > 2 ? (unsigned)atoi(argv[2]) : 30;
	const char *mode = argc > 3 ? argv[3] : "http";
	int nports = argc > 4 ? atoi(argv[4]) : 200;
	struct server srv[SERVERS];
	uint16_t *ports = calloc((size_t)nports, sizeof(*ports));
	struct rlimit rl;
	struct rusage ru;
	struct mv_checker *c;
	unsigned flips = 0, unhealthy = 0;
	double t0, cpu0, srv0[SERVERS], t1, cpu1, srv_cpu = 0;
	uint64_t p0, p1;

	if (checks == 0 || seconds == 0 || nports <= 0 || ports == NULL) {
		fprintf(stderr,
			"usage: %s [checks [seconds [http|tcp|str|mix|refused [endpoints]]]]\n",
			argv[0]);
		return 2;
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
	setrlimit(RLIMIT_NOFILE, &rl);

	for (int i = 0; i < SERVERS; i++) {
		srv[i].epfd = epoll_create1(0);
		srv[i].listeners = calloc((size_t)nports, sizeof(int));
		srv[i].nlisten = 0;
		srv[i].stop = 0;
	}
	for (int i = 0; i < nports; i++) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof(sa);
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct server *s = &srv[i % SERVERS];
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
		    listen(fd, 4096) != 0 || getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
			perror("listen");
			return 1;
		}
		ports[i] = ntohs(sa.sin_port);
		s->listeners[s->nlisten++] = fd;
		epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
	if (strcmp(mode, "refused") == 0) { /* every port closed: the failure path */
		for (int i = 0; i < SERVERS; i++) {
			while (srv[i].nlisten > 0)
				close(srv[i].listeners[--srv[i].nlisten]);
		}
	}
	for (int i = 0; i < SERVERS; i++)
		pthread_create(&srv[i].thread, NULL, serve, &srv[i]);

	c = mv_checker_create();
	if (c == NULL) {
		perror("mv_checker_create");
		return 1;
	}
	for (unsigned i = 0; i < checks; i++) {
		struct mv_check_config cfg;
		unsigned kind = strcmp(mode, "mix") == 0   ? i % 3
				: strcmp(mode, "tcp") == 0 ? 1
				: strcmp(mode, "str") == 0 ? 2
							   : 0;

		mv_check_config_init(&cfg, kind == 1   ? MV_CHECK_TCP
					   : kind == 2 ? MV_CHECK_HTTP_STR_MATCH
						       : MV_CHECK_HTTP);
		strcpy(cfg.ip, "127.0.0.1");
		cfg.port = ports[i % (unsigned)nports];
		cfg.request_interval = 10;
		cfg.failure_threshold = strcmp(mode, "refused") == 0 ? 1 : 3;
		if (kind == 0)
			strcpy(cfg.resource_path, "/health");
		if (kind == 2)
			strcpy(cfg.search_string, "well");
		if (mv_checker_add(c, i, &cfg, true) != 0) {
			fprintf(stderr, "mv_checker_add %u failed\n", i);
			return 1;
		}
	}

	t0 = now_s();
	cpu0 = rusage_s(&ru);
	p0 = mv_checker_probes(c);
	for (int i = 0; i < SERVERS; i++) {
		clockid_t id;

		pthread_getcpuclockid(srv[i].thread, &id);
		srv0[i] = cpu_s(id);
	}
	for (unsigned s = 0; s < seconds; s++) {
		poll(NULL, 0, 1000);
		mv_checker_drain(c, count_flip, &flips);
	}
	t1 = now_s();
	cpu1 = rusage_s(&ru);
	p1 = mv_checker_probes(c);
	for (int i = 0; i < SERVERS; i++) {
		clockid_t id;

		pthread_getcpuclockid(srv[i].thread, &id);
		srv_cpu += cpu_s(id) - srv0[i];
	}
	for (unsigned i = 0; i < checks; i++)
		unhealthy += !mv_checker_healthy(c, i);

	printf("checks %u (%s) on %d loopback ports, interval 10 s, %u s, cap %u in flight\n",
	       checks, mode, nports, seconds, mv_checker_max_inflight(c));
	printf("probes/s            %.0f (ideal %.0f)\n", (double)(p1 - p0) / (t1 - t0),
	       checks / 10.0);
	printf("process CPU s/s     %.3f (getrusage user+sys)\n", (cpu1 - cpu0) / (t1 - t0));
	printf("  endpoints CPU s/s %.3f\n", srv_cpu / (t1 - t0));
	printf("  engine CPU s/s    %.3f (process - endpoints)\n",
	       (cpu1 - cpu0 - srv_cpu) / (t1 - t0));
	printf("max RSS             %ld KiB\n", ru.ru_maxrss);
	printf("unhealthy at end    %u, status changes %u\n", unhealthy, flips);

	mv_checker_destroy(c);
	for (int i = 0; i < SERVERS; i++) {
		srv[i].stop = 1;
		pthread_join(srv[i].thread, NULL);
		for (int j = 0; j < srv[i].nlisten; j++)
			close(srv[i].listeners[j]);
		close(srv[i].epfd);
		free(srv[i].listeners);
	}
	free(ports);
	return unhealthy == (strcmp(mode, "refused") == 0 ? checks : 0) ? 0 : 1;
}
