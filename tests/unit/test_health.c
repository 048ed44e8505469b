/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health-check engine: status debouncing, HealthCheckConfig validation and
 * JSON, and real probes against endpoints this file starts on 127.0.0.1 (a
 * one-thread HTTP server with scripted answers, TCP listeners), with results
 * read through the event fd and mv_checker_drain. Intervals are shortened with
 * the test-only knobs: 10 s of RequestInterval last 100 ms here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "checker.h"

/* ---- status logic ---------------------------------------------------------- */

Test(health_status, starts_healthy_and_flips_after_threshold)
{
	struct mv_check_status s;

	mv_check_status_init(&s, true);
	cr_assert(!mv_check_status_feed(&s, false, false, 3));
	cr_assert(!mv_check_status_feed(&s, false, false, 3));
	cr_assert(!mv_check_status_feed(&s, true, false, 3)); /* agreeing result resets */
	cr_assert(!mv_check_status_feed(&s, false, false, 3));
	cr_assert(!mv_check_status_feed(&s, false, false, 3));
	cr_assert(s.healthy);
	cr_assert(mv_check_status_feed(&s, false, false, 3));
	cr_assert(!s.healthy);
	cr_assert(!mv_check_status_feed(&s, true, false, 2));
	cr_assert(mv_check_status_feed(&s, true, false, 2));
	cr_assert(s.healthy);
}

Test(health_status, inverted_disabled_restored)
{
	struct mv_check_status s;

	mv_check_status_init(&s, true);
	cr_assert(mv_check_status_feed(&s, true, true, 1)); /* success, inverted: failure */
	cr_assert(!s.healthy);
	cr_assert(!mv_check_status_feed(&s, true, true, 1));
	cr_assert(!mv_check_status_effective(&s, false));
	cr_assert(mv_check_status_effective(&s, true)); /* disabled counts healthy */
	mv_check_status_init(&s, false);                /* restored after a restart */
	cr_assert(!s.healthy);
	cr_assert(mv_check_status_feed(&s, true, false, 1));
}

Test(health_status, reasons)
{
	struct mv_check_result r = {.outcome = MV_OUTCOME_HTTP, .detail = 200, .success = true};
	char buf[MV_CHECK_REASON_MAX];

	mv_check_result_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf, "Success: HTTP Status Code 200, OK");
	r = (struct mv_check_result){.outcome = MV_OUTCOME_HTTP, .detail = 503};
	mv_check_result_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf, "Failure: HTTP Status Code 503, Service Unavailable");
	r = (struct mv_check_result){.outcome = MV_OUTCOME_CONNECT_TIMEOUT, .detail = 4000};
	mv_check_result_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf, "Failure: Connection timed out after 4000 ms");
	r = (struct mv_check_result){.outcome = MV_OUTCOME_CONNECT_FAILED, .detail = ECONNREFUSED};
	mv_check_result_format(&r, buf, sizeof(buf));
	cr_assert_str_eq(buf, "Failure: Connection refused");
}

/* ---- configuration --------------------------------------------------------- */

static struct mv_check_config http_cfg(const char *ip, uint16_t port)
{
	struct mv_check_config c;

	mv_check_config_init(&c, MV_CHECK_HTTP);
	snprintf(c.ip, sizeof(c.ip), "%s", ip);
	c.port = port;
	c.request_interval = 10;
	c.failure_threshold = 1;
	return c;
}

static void expect_invalid(const struct mv_check_config *c, const char *msg)
{
	char err[512];

	cr_assert_eq(mv_check_config_validate(c, err, sizeof(err)), -EINVAL, "%s", msg);
	cr_assert_str_eq(err, msg);
}

Test(health_config, validate)
{
	struct mv_check_config c = http_cfg("192.0.2.1", 0);
	char err[512] = "x";

	cr_assert_eq(mv_check_config_validate(&c, err, sizeof(err)), 0);
	cr_assert_str_empty(err);
	cr_assert_eq(mv_check_config_port(&c), 80);
	c.type = MV_CHECK_HTTPS_STR_MATCH;
	strcpy(c.search_string, "ok");
	cr_assert_eq(mv_check_config_port(&c), 443);
	cr_assert_eq(mv_check_config_validate(&c, err, sizeof(err)), 0);

	c = http_cfg("", 0);
	expect_invalid(&c, "Invalid parameter : HTTP health checks must have either IPAddress or "
			   "FullyQualifiedDomainName specified.");
	c = http_cfg("300.1.1.1", 0);
	expect_invalid(&c, "Invalid parameter : IPAddress '300.1.1.1' is not a valid IPv4 or IPv6 "
			   "address.");
	c = http_cfg("2001:db8::1", 0);
	c.request_interval = 20;
	expect_invalid(&c, "Invalid parameter : RequestInterval must be either 10 or 30.");
	c.request_interval = 5;
	expect_invalid(&c, "Value '5' at 'healthCheckConfig.requestInterval' failed to satisfy "
			   "constraint: Member must have value greater than or equal to 10");
	c.request_interval = 30;
	c.failure_threshold = 11;
	expect_invalid(&c, "Value '11' at 'healthCheckConfig.failureThreshold' failed to satisfy "
			   "constraint: Member must have value less than or equal to 10");
	c.failure_threshold = 0;
	expect_invalid(&c, "Value '0' at 'healthCheckConfig.failureThreshold' failed to satisfy "
			   "constraint: Member must have value greater than or equal to 1");
	c = http_cfg("192.0.2.1", 0);
	c.type = MV_CHECK_HTTP_STR_MATCH;
	expect_invalid(&c, "Invalid parameter : SearchString is required for HTTP_STR_MATCH "
			   "health checks.");
	c.type = MV_CHECK_HTTP;
	strcpy(c.search_string, "x");
	expect_invalid(&c, "Invalid parameter : SearchString is only allowed for HTTP_STR_MATCH "
			   "and HTTPS_STR_MATCH health checks.");
	memset(c.search_string, 'a', sizeof(c.search_string));
	expect_invalid(
		&c, "Value 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' "
		    "at 'healthCheckConfig.searchString' failed to satisfy constraint: "
		    "Member must have length less than or equal to 255");
	c = http_cfg("192.0.2.1", 0);
	c.type = MV_CHECK_TCP;
	expect_invalid(&c, "Invalid parameter : Port is required for TCP health checks.");
	c.port = 22;
	strcpy(c.fqdn, "www.example.com");
	expect_invalid(&c, "TCP health checks that have IP address must not have a fully "
			   "qualified domain name specified.");
	mv_check_config_init(&c, MV_CHECK_EXTERNAL);
	cr_assert_eq(mv_check_config_validate(&c, err, sizeof(err)), 0);
	strcpy(c.ip, "192.0.2.1");
	expect_invalid(&c, "Invalid parameter : EXTERNAL health checks must not have IPAddress, "
			   "FullyQualifiedDomainName, Port, ResourcePath or SearchString "
			   "specified.");
}

static int parse(const char *text, struct mv_check_config *c, char *err)
{
	json_t *j = json_loads(text, 0, NULL);
	int rc;

	cr_assert_not_null(j, "%s", text);
	rc = mv_check_config_from_json(j, c, err, 512);
	json_decref(j);
	return rc;
}

Test(health_config, json_round_trip)
{
	struct mv_check_config a, b;
	char err[512];
	json_t *j;

	cr_assert_eq(parse("{\"Type\":\"HTTPS_STR_MATCH\",\"FullyQualifiedDomainName\":"
			   "\"www.example.com\",\"ResourcePath\":\"/health?x=1\",\"SearchString\":"
			   "\"OK\",\"RequestInterval\":10,\"FailureThreshold\":2,\"Inverted\":true,"
			   "\"MeasureLatency\":false}",
			   &a, err),
		     0, "%s", err);
	cr_assert_eq(a.type, MV_CHECK_HTTPS_STR_MATCH);
	cr_assert_eq(a.port, 443); /* Route 53's default, made explicit */
	cr_assert_str_eq(a.resource_path, "/health?x=1");
	cr_assert(a.inverted && !a.disabled);
	j = mv_check_config_to_json(&a);
	cr_assert_not_null(j);
	cr_assert_eq(json_integer_value(json_object_get(j, "Port")), 443);
	cr_assert_eq(mv_check_config_from_json(j, &b, err, sizeof(err)), 0, "%s", err);
	json_decref(j);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);

	cr_assert_eq(parse("{\"Type\":\"HTTP\",\"IPAddress\":\"192.0.2.7\"}", &a, err), 0);
	cr_assert_eq(a.port, 80);
	cr_assert_eq(a.request_interval, 30);
	cr_assert_eq(a.failure_threshold, 3);
	cr_assert_eq(parse("{\"Type\":\"EXTERNAL\",\"Disabled\":true}", &a, err), 0, "%s", err);
	cr_assert(a.disabled);
	j = mv_check_config_to_json(&a);
	cr_assert_null(json_object_get(j, "Port"));
	json_decref(j);
}

Test(health_config, json_errors)
{
	static const char *const cases[][2] = {
		{"{'IPAddress':'192.0.2.1'}",
		 "Missing required parameter in HealthCheckConfig: \"Type\""},
		{"{'Type':'PING'}",
		 "Value 'PING' at 'healthCheckConfig.type' failed to satisfy constraint: Member "
		 "must satisfy enum value set: [HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP, "
		 "CALCULATED, CLOUDWATCH_METRIC, RECOVERY_CONTROL, EXTERNAL]"},
		{"{'Type':'CALCULATED'}",
		 "Invalid parameter : mvdns does not support CALCULATED health checks."},
		{"{'Type':'HTTP','IPAddress':'192.0.2.1','Port':'80'}",
		 "Invalid type for parameter HealthCheckConfig.Port, value type: string, valid "
		 "types: integer"},
		{"{'Type':'HTTP','IPAddress':'192.0.2.1','Port':70000}",
		 "Value '70000' at 'healthCheckConfig.port' failed to satisfy constraint: Member "
		 "must have value less than or equal to 65535"},
		{"{'Type':'HTTP','Regions':[]}",
		 "Invalid parameter : mvdns does not support Regions in health checks."},
		{"{'Type':'HTTP','Colour':1}",
		 "Unknown parameter in HealthCheckConfig: \"Colour\", must be one of: IPAddress, "
		 "Port, Type, ResourcePath, FullyQualifiedDomainName, SearchString, "
		 "RequestInterval, FailureThreshold, MeasureLatency, Inverted, Disabled, "
		 "HealthThreshold, ChildHealthChecks, EnableSNI, Regions, AlarmIdentifier, "
		 "InsufficientDataHealthStatus, RoutingControlArn"},
	};
	struct mv_check_config c;
	char json[128], err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(json, sizeof(json), "%s", cases[i][0]);
		for (char *q = json; (q = strchr(q, '\'')) != NULL;)
			*q = '"'; /* the cases are written with single quotes */
		cr_assert_eq(parse(json, &c, err), -EINVAL, "%s", json);
		cr_assert_str_eq(err, cases[i][1]);
	}
}

/* ---- an HTTP server on 127.0.0.1 ------------------------------------------- */

struct srv {
	int lfd, stop[2];
	uint16_t port;
	pthread_t thread;
	/* script (set before srv_start) */
	int status;
	int delay_ms;
	bool silent;      /* close without answering */
	bool eager;       /* answer the first bytes, whatever they are */
	bool v6;          /* listen on ::1 */
	size_t body_len;  /* bytes of 'a' */
	const char *word; /* written into the body at word_at */
	size_t word_at;
	/* seen (read after srv_stop) */
	int requests;
	bool saw_other_path;
	char host[128];
};

static int listen_on(int family, int backlog, uint16_t *port)
{
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr *a = family == AF_INET6 ? (struct sockaddr *)&sa6 : (struct sockaddr *)&sa;
	socklen_t len = family == AF_INET6 ? sizeof(sa6) : sizeof(sa);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, a, len) != 0) {
		if (family == AF_INET6)
			cr_skip_test("no IPv6 loopback");
		cr_assert_fail("bind: %s", strerror(errno));
	}
	cr_assert_eq(listen(fd, backlog), 0);
	cr_assert_eq(getsockname(fd, a, &len), 0);
	*port = ntohs(family == AF_INET6 ? sa6.sin6_port : sa.sin_port);
	return fd;
}

/* Wait for fd readable; false when the stop pipe fires or after ms. */
static bool srv_wait(struct srv *s, int fd, int ms)
{
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = s->stop[0], .events = POLLIN}};

	return poll(p, 2, ms) > 0 && !(p[1].revents & POLLIN) && (p[0].revents & POLLIN);
}

static void srv_answer(struct srv *s, int fd)
{
	char req[2048], head[256], body[9000];
	size_t got = 0;
	const char *h;
	ssize_t n;
	int len;

	while (got < sizeof(req) - 1 && srv_wait(s, fd, 2000) &&
	       (n = recv(fd, req + got, sizeof(req) - 1 - got, 0)) > 0) {
		got += (size_t)n;
		req[got] = '\0';
		if (s->eager || strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[got] = '\0';
	s->requests++;
	if (strncmp(req, "GET /health ", 12) != 0)
		s->saw_other_path = true;
	if ((h = strstr(req, "\r\nHost: ")) != NULL)
		sscanf(h + 8, "%127[^\r]", s->host);
	if (s->silent)
		return;
	if (s->delay_ms > 0 &&
	    poll(&(struct pollfd){.fd = s->stop[0], .events = POLLIN}, 1, s->delay_ms) != 0)
		return; /* stopping */
	memset(body, 'a', s->body_len);
	if (s->word != NULL)
		memcpy(body + s->word_at, s->word, strlen(s->word));
	len = snprintf(head, sizeof(head),
		       "HTTP/1.1 %d Whatever\r\nContent-Length: %zu\r\nLocation: /elsewhere\r\n"
		       "Connection: close\r\n\r\n",
		       s->status, s->body_len);
	send(fd, head, (size_t)len, MSG_NOSIGNAL);
	send(fd, body, s->body_len, MSG_NOSIGNAL);
}

static void *srv_run(void *arg)
{
	struct srv *s = arg;

	while (srv_wait(s, s->lfd, -1)) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			continue;
		srv_answer(s, fd);
		close(fd);
	}
	return NULL;
}

static void srv_start(struct srv *s)
{
	cr_assert_eq(pipe(s->stop), 0);
	s->lfd = listen_on(s->v6 ? AF_INET6 : AF_INET, 16, &s->port);
	cr_assert_eq(pthread_create(&s->thread, NULL, srv_run, s), 0);
}

static void srv_stop(struct srv *s)
{
	cr_assert_eq(write(s->stop[1], "x", 1), 1);
	pthread_join(s->thread, NULL);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
}

/* ---- engine helpers --------------------------------------------------------- */

struct seen {
	uint32_t id;
	bool healthy;
	int count;
};

static void on_event(uint32_t id, bool healthy, void *arg)
{
	struct seen *s = arg;

	s->id = id;
	s->healthy = healthy;
	s->count++;
}

/* Wait up to ms for an event; returns how many arrived (the last in *out). */
static int wait_event(struct mv_checker *c, struct seen *out, int ms)
{
	struct pollfd p = {.fd = mv_checker_event_fd(c), .events = POLLIN};

	memset(out, 0, sizeof(*out));
	if (poll(&p, 1, ms) == 1)
		mv_checker_drain(c, on_event, out);
	return out->count;
}

static struct mv_checker *engine(void)
{
	struct mv_checker *c = mv_checker_create();

	cr_assert_not_null(c);
	cr_assert_eq(mv_checker_set_interval_scale(c, 10), 0); /* 10 s -> 100 ms */
	cr_assert_eq(mv_checker_set_timeouts(c, 500, 300, 500), 0);
	return c;
}

/* Run one check against server s from `start`; expect one flip to `want` and `reason`. */
static void probe_case(struct srv *s, struct mv_check_config *cfg, bool start, bool want,
		       const char *reason)
{
	struct mv_checker *c = engine();
	struct mv_check_observation obs[MV_CHECKER_OBSERVATIONS];
	struct seen e;

	if (s != NULL)
		srv_start(s);
	if (cfg->port == 0 && s != NULL)
		cfg->port = s->port;
	cr_assert_eq(mv_checker_add(c, 7, cfg, start), 0);
	cr_assert_eq(wait_event(c, &e, 5000), 1, "no status change to %d", want);
	cr_assert_eq(e.id, 7);
	cr_assert_eq(e.healthy, want);
	cr_assert_eq(mv_checker_healthy(c, 7), want);
	cr_assert_geq(mv_checker_observations(c, 7, obs, MV_CHECKER_OBSERVATIONS), 1);
	cr_assert_str_eq(obs[0].reason, reason);
	cr_assert_gt(obs[0].time_ms, (int64_t)1600000000000);
	mv_checker_destroy(c);
	if (s != NULL)
		srv_stop(s);
}

/* ---- probes ------------------------------------------------------------------ */

Test(health_probe, http_200_healthy, .timeout = 20)
{
	struct srv s = {.status = 200, .body_len = 10};
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);
	char want[64];

	strcpy(cfg.resource_path, "/health");
	probe_case(&s, &cfg, false, true, "Success: HTTP Status Code 200, OK");
	cr_assert(!s.saw_other_path);
	cr_assert_gt(s.requests, 0);
	snprintf(want, sizeof(want), "127.0.0.1:%u", s.port);
	cr_assert_str_eq(s.host, want);
}

Test(health_probe, redirect_is_healthy_and_not_followed, .timeout = 20)
{
	struct srv s = {.status = 301};
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);

	strcpy(cfg.resource_path, "health");
	probe_case(&s, &cfg, false, true, "Success: HTTP Status Code 301, Moved Permanently");
	cr_assert(!s.saw_other_path, "the redirect to /elsewhere was followed");
}

Test(health_probe, http_503_unhealthy, .timeout = 20)
{
	struct srv s = {.status = 503};
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);

	strcpy(cfg.resource_path, "/health");
	probe_case(&s, &cfg, true, false, "Failure: HTTP Status Code 503, Service Unavailable");
}

Test(health_probe, slow_status_unhealthy, .timeout = 20)
{
	struct srv s = {.status = 200, .delay_ms = 1500};
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);

	probe_case(&s, &cfg, true, false, "Failure: No HTTP status within 300 ms after connecting");
}

Test(health_probe, closed_without_answer, .timeout = 20)
{
	struct srv s = {.silent = true};
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);

	probe_case(&s, &cfg, true, false, "Failure: Connection closed without a response");
}

Test(health_probe, inverted_200_unhealthy, .timeout = 20)
{
	struct srv s = {.status = 200};
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);

	cfg.inverted = true;
	probe_case(&s, &cfg, true, false, "Success: HTTP Status Code 200, OK");
}

Test(health_probe, fqdn_is_the_host_header, .timeout = 20)
{
	struct srv s = {.status = 204};
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);
	char want[64];

	strcpy(cfg.fqdn, "www.example.test"); /* connects to IPAddress, names the FQDN */
	probe_case(&s, &cfg, false, true, "Success: HTTP Status Code 204, No Content");
	snprintf(want, sizeof(want), "www.example.test:%u", s.port);
	cr_assert_str_eq(s.host, want);
}

Test(health_probe, https_to_a_plain_server_fails_tls, .timeout = 20)
{
	struct srv s = {.status = 200, .eager = true};
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);

	cfg.type = MV_CHECK_HTTPS; /* the server answers the ClientHello in plain HTTP */
	probe_case(&s, &cfg, true, false, "Failure: TLS handshake failed");
}

Test(health_probe, fqdn_only_is_resolved, .timeout = 20)
{
	struct srv s = {.status = 200};
	struct mv_check_config cfg = http_cfg("", 0);
	char want[64];

	strcpy(cfg.fqdn, "localhost"); /* from /etc/hosts: no network */
	probe_case(&s, &cfg, false, true, "Success: HTTP Status Code 200, OK");
	snprintf(want, sizeof(want), "localhost:%u", s.port);
	cr_assert_str_eq(s.host, want);
}

Test(health_probe, ipv6_endpoint, .timeout = 20)
{
	struct srv s = {.status = 200, .v6 = true};
	struct mv_check_config cfg = http_cfg("::1", 0);

	strcpy(cfg.resource_path, "/health");
	probe_case(&s, &cfg, false, true, "Success: HTTP Status Code 200, OK");
	cr_assert(strncmp(s.host, "[::1]:", 6) == 0, "%s", s.host);
}

static struct mv_check_config match_cfg(const char *word)
{
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);

	cfg.type = MV_CHECK_HTTP_STR_MATCH;
	strcpy(cfg.search_string, word);
	return cfg;
}

Test(health_probe, search_string_in_the_first_5120_bytes, .timeout = 30)
{
	/* "needle" ending at byte 5120 of 8000, in a 100-byte body, one byte too far */
	struct srv at_edge = {.status = 200, .body_len = 8000, .word = "needle", .word_at = 5114};
	struct srv short_body = {.status = 200, .body_len = 100, .word = "needle", .word_at = 94};
	struct srv beyond = {.status = 200, .body_len = 8000, .word = "needle", .word_at = 5115};
	struct mv_check_config cfg = match_cfg("needle");

	probe_case(&at_edge, &cfg, false, true, "Success: HTTP Status Code 200, OK");
	cfg.port = 0;
	probe_case(&short_body, &cfg, false, true, "Success: HTTP Status Code 200, OK");
	cfg.port = 0;
	probe_case(&beyond, &cfg, true, false,
		   "Failure: HTTP Status Code 200, OK. Search string not found in the first 5120 "
		   "bytes of the response body");
}

Test(health_probe, tcp_connect_then_refused, .timeout = 20)
{
	struct mv_checker *c = engine();
	struct mv_check_observation obs[2];
	struct mv_check_config cfg;
	uint16_t port;
	int lfd = listen_on(AF_INET, 16, &port);
	struct seen e;

	mv_check_config_init(&cfg, MV_CHECK_TCP);
	strcpy(cfg.ip, "127.0.0.1");
	cfg.port = port;
	cfg.request_interval = 10;
	cfg.failure_threshold = 1;
	cr_assert_eq(mv_checker_add(c, 1, &cfg, false), 0);
	cr_assert_eq(wait_event(c, &e, 5000), 1);
	cr_assert(e.healthy);
	cr_assert_eq(mv_checker_observations(c, 1, obs, 2), 1);
	cr_assert_str_eq(obs[0].reason, "Success: TCP connection established");
	close(lfd); /* now refused */
	cr_assert_eq(wait_event(c, &e, 5000), 1);
	cr_assert(!e.healthy);
	cr_assert_geq(mv_checker_observations(c, 1, obs, 2), 2);
	cr_assert_str_eq(obs[0].reason, "Failure: Connection refused");
	cr_assert_str_eq(obs[1].reason, "Success: TCP connection established");
	mv_checker_destroy(c);
}

Test(health_probe, connect_timeout, .timeout = 20)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct mv_check_config cfg = http_cfg("127.0.0.1", 0);
	int fill[2];
	int lfd = listen_on(AF_INET, 0,
			    &cfg.port); /* never accepts: SYNs beyond the queue are dropped */

	sa.sin_port = htons(cfg.port);
	for (int i = 0; i < 2; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	usleep(50000);
	probe_case(NULL, &cfg, true, false, "Failure: Connection timed out after 500 ms");
	close(fill[0]);
	close(fill[1]);
	close(lfd);
}

/* ---- the engine's API ----------------------------------------------------------- */

Test(health_engine, external_disabled_and_errors, .timeout = 20)
{
	struct mv_checker *c = engine();
	struct mv_check_config ext, web = http_cfg("127.0.0.1", 0);
	struct srv s = {.status = 503};
	struct seen e;

	srv_start(&s);
	web.port = s.port;
	web.disabled = true;
	mv_check_config_init(&ext, MV_CHECK_EXTERNAL);
	cr_assert_eq(mv_checker_add(c, 1, &ext, true), 0);
	cr_assert_eq(mv_checker_add(c, 1, &ext, true), -EEXIST);
	cr_assert_eq(mv_checker_add(c, 2, &web, true), 0);
	cr_assert_eq(mv_checker_count(c), 2);
	cr_assert_eq(mv_checker_set_external(c, 2, false), -EINVAL);
	cr_assert_eq(mv_checker_set_external(c, 9, false), -ENOENT);
	cr_assert_eq(mv_checker_set_external(c, 1, false), 0);
	cr_assert_eq(wait_event(c, &e, 1000), 1);
	cr_assert(e.id == 1 && !e.healthy);
	cr_assert(!mv_checker_healthy(c, 1));

	/* disabled: not probed, healthy */
	cr_assert_eq(wait_event(c, &e, 400), 0);
	cr_assert(mv_checker_healthy(c, 2));
	cr_assert_eq(s.requests, 0);
	web.disabled = false;
	cr_assert_eq(mv_checker_update(c, 2, &web), 0);
	cr_assert_eq(wait_event(c, &e, 5000), 1);
	cr_assert(e.id == 2 && !e.healthy);
	web.disabled = true; /* disabling an unhealthy check makes it healthy at once */
	cr_assert_eq(mv_checker_update(c, 2, &web), 0);
	cr_assert_eq(wait_event(c, &e, 1000), 1);
	cr_assert(e.id == 2 && e.healthy);
	web.type = MV_CHECK_TCP;
	cr_assert_eq(mv_checker_update(c, 2, &web), -EINVAL);
	cr_assert_eq(mv_checker_update(c, 3, &ext), -ENOENT);
	ext.request_interval = 12;
	cr_assert_eq(mv_checker_add(c, 3, &ext, true), -EINVAL);

	/* toggling Inverted reads the same endpoint the other way, at once */
	ext.request_interval = 30;
	ext.inverted = true;
	cr_assert_eq(mv_checker_update(c, 1, &ext), 0);
	cr_assert_eq(wait_event(c, &e, 1000), 1);
	cr_assert(e.id == 1 && e.healthy);
	ext.inverted = false;
	cr_assert_eq(mv_checker_update(c, 1, &ext), 0);
	cr_assert_eq(wait_event(c, &e, 1000), 1);
	cr_assert(e.id == 1 && !e.healthy);

	/* a removed check reports nothing more */
	cr_assert_eq(mv_checker_set_external(c, 1, true), 0);
	cr_assert_eq(mv_checker_remove(c, 1), 0);
	cr_assert_eq(mv_checker_remove(c, 1), -ENOENT);
	cr_assert_eq(wait_event(c, &e, 200), 0);
	cr_assert(!mv_checker_exists(c, 1));
	mv_checker_destroy(c);
	srv_stop(&s);
}
