/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One probe as a libcurl transfer: the URL and connect-to entry built once per
 * configuration, a reusable easy handle per transfer slot, and the callbacks
 * that decide as early as possible. HTTP(S) probes stop at the status line
 * (the body is not read) unless a search string is wanted, and then at 5,120
 * bytes; TCP probes are CURLOPT_CONNECT_ONLY transfers, which libcurl
 * completes (and closes, with CURLOPT_FORBID_REUSE) once connected.
 *
 * Callbacks run on the engine thread inside curl_multi_socket_action, without
 * the engine's lock: they touch only the transfer slot and its immutable spec.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker_pvt.h"

#define HC_USER_AGENT  "mvdns-health-check/1.0"
#define HC_BUFFER_SIZE 8192L /* libcurl's receive buffer per handle (default 16 KiB) */

/* Append s to the URL, percent-encoding bytes a request target cannot carry raw. */
static char *put_path(char *p, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	if (s[0] != '/')
		*p++ = '/';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch > 0x20 && ch < 0x7f) {
			*p++ = (char)ch;
		} else {
			*p++ = '%';
			*p++ = hex[ch >> 4];
			*p++ = hex[ch & 15];
		}
	}
	*p = '\0';
	return p;
}

struct hc_spec *hc_spec_build(const struct mv_check_config *cfg)
{
	bool v6 = strchr(cfg->ip, ':') != NULL;
	bool tls = cfg->type == MV_CHECK_HTTPS || cfg->type == MV_CHECK_HTTPS_STR_MATCH;
	const char *host = cfg->fqdn[0] ? cfg->fqdn : cfg->ip;
	bool brackets = !cfg->fqdn[0] && v6;
	unsigned port = mv_check_config_port(cfg);
	size_t search_len = strlen(cfg->search_string);
	/* scheme, host, port, 3 bytes per path byte, connect-to entry, search string */
	size_t need = 16 + strlen(host) + 8 + 3 * strlen(cfg->resource_path) + 2 +
		      strlen(cfg->fqdn) + strlen(cfg->ip) + 24 + search_len + 1;
	struct hc_spec *s = calloc(1, sizeof(*s) + need);
	char *p;

	if (s == NULL)
		return NULL;
	s->type = (uint8_t)cfg->type;
	p = s->buf;
	s->url = p;
	p += sprintf(p, "%s://%s%s%s:%u", tls ? "https" : "http", brackets ? "[" : "", host,
		     brackets ? "]" : "", port);
	p = put_path(p, cfg->type == MV_CHECK_TCP ? "/" : cfg->resource_path) + 1;
	if (cfg->fqdn[0] && cfg->ip[0]) {
		s->connect_to.data = p;
		p += sprintf(p, "%s:%u:%s%s%s:%u", cfg->fqdn, port, v6 ? "[" : "", cfg->ip,
			     v6 ? "]" : "", port) +
		     1;
	}
	if (mv_check_type_is_str_match(cfg->type)) {
		memcpy(p, cfg->search_string, search_len + 1);
		s->search = p;
		s->search_len = search_len;
	}
	return s;
}

static void decide(struct hc_xfer *x, uint8_t outcome, uint16_t detail, bool success)
{
	x->decided = true;
	x->verdict.outcome = outcome;
	x->verdict.detail = detail;
	x->verdict.success = success;
}

static bool status_good(unsigned status)
{
	return status >= 200 && status < 400;
}

/* The search string within what was received (at most MV_CHECK_BODY_SEARCH bytes). */
static void decide_match(struct hc_xfer *x)
{
	bool found = x->body != NULL &&
		     memmem(x->body, x->body_len, x->spec->search, x->spec->search_len) != NULL;

	decide(x, found ? MV_OUTCOME_HTTP : MV_OUTCOME_NO_MATCH, x->status, found);
}

/* The connection is up (TLS included): the status is due within status_ms. */
static int on_prereq(void *arg, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
		     int conn_local_port)
{
	struct hc_xfer *x = arg;

	(void)conn_primary_ip, (void)conn_local_ip, (void)conn_primary_port, (void)conn_local_port;
	x->connected = true;
	x->status_deadline_ms = hc_now_mono_ms() + x->status_ms;
	return CURL_PREREQFUNC_OK;
}

/* Header lines; returning a short count stops the transfer once decided. */
static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct hc_xfer *x = arg;
	size_t len = size * n;
	char line[32];
	unsigned status;

	if (x->decided)
		return 0;
	if (len < 12 || memcmp(buf, "HTTP/", 5) != 0)
		return len; /* a header field, or the blank line */
	memcpy(line, buf, len < sizeof(line) ? len : sizeof(line) - 1);
	line[len < sizeof(line) ? len : sizeof(line) - 1] = '\0';
	if (sscanf(line + 5, "%*[0-9.] %3u", &status) != 1) {
		decide(x, MV_OUTCOME_BAD_RESPONSE, 0, false);
		return 0;
	}
	if (status < 200)
		return len; /* 1xx: the final status follows */
	x->status = (uint16_t)status;
	if (x->status_deadline_ms != 0 && hc_now_mono_ms() > x->status_deadline_ms) {
		decide(x, MV_OUTCOME_STATUS_TIMEOUT, (uint16_t)x->status_ms, false);
		return 0;
	}
	if (!status_good(status) || x->spec->search == NULL) {
		decide(x, MV_OUTCOME_HTTP, x->status, status_good(status));
		return 0;
	}
	return len; /* *_STR_MATCH: read the body */
}

static size_t on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct hc_xfer *x = arg;
	size_t len = size * n, take;

	if (x->decided || x->spec->search == NULL)
		return x->decided ? 0 : len;
	if (x->body == NULL && (x->body = malloc(MV_CHECK_BODY_SEARCH)) == NULL) {
		decide(x, MV_OUTCOME_CURL, CURLE_OUT_OF_MEMORY, false);
		return 0;
	}
	take = MV_CHECK_BODY_SEARCH - x->body_len;
	take = len < take ? len : take;
	memcpy(x->body + x->body_len, buf, take);
	x->body_len += take;
	if (x->body_len < MV_CHECK_BODY_SEARCH)
		return len;
	decide_match(x);
	return 0;
}

struct hc_xfer *hc_xfer_new(void)
{
	struct hc_xfer *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->easy = curl_easy_init();
	if (x->easy == NULL) {
		free(x);
		return NULL;
	}
	x->active_idx = HC_NOT_QUEUED;
	return x;
}

void hc_xfer_free(struct hc_xfer *x)
{
	if (x == NULL)
		return;
	curl_easy_cleanup(x->easy);
	free(x->body);
	free(x);
}

int hc_xfer_prepare(struct hc_xfer *x, unsigned connect_ms, unsigned status_ms, unsigned tcp_ms)
{
	const struct hc_spec *s = x->spec;
	bool tcp = s->type == MV_CHECK_TCP;
	CURL *e = x->easy;
	CURLcode rc = CURLE_OK;

	x->status_deadline_ms = 0;
	x->connect_ms = tcp ? tcp_ms : connect_ms;
	x->status_ms = status_ms;
	x->status = 0;
	x->connected = false;
	x->decided = false;
	x->body_len = 0;
	memset(&x->verdict, 0, sizeof(x->verdict));

	curl_easy_reset(e);
#define SET(opt, val)                                       \
	do {                                                \
		if (rc == CURLE_OK)                         \
			rc = curl_easy_setopt(e, opt, val); \
	} while (0)
	SET(CURLOPT_URL, s->url);
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROXY, "");        /* never a proxy from the environment */
	SET(CURLOPT_FORBID_REUSE, 1L); /* a fresh connection per probe, closed after */
	SET(CURLOPT_FRESH_CONNECT, 1L);
	SET(CURLOPT_DNS_CACHE_TIMEOUT, 0L); /* resolve FullyQualifiedDomainName each time */
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)x->connect_ms);
	SET(CURLOPT_CONNECT_TO, s->connect_to.data != NULL ? &s->connect_to : NULL);
	if (tcp) {
		SET(CURLOPT_CONNECT_ONLY, 1L);
		SET(CURLOPT_TIMEOUT_MS, (long)x->connect_ms + 100);
	} else {
		SET(CURLOPT_TIMEOUT_MS, (long)(connect_ms + status_ms) + 100); /* backstop */
		SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
		SET(CURLOPT_USERAGENT, HC_USER_AGENT);
		SET(CURLOPT_SSL_VERIFYPEER, 0L); /* Route 53 does not verify certificates */
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
		SET(CURLOPT_BUFFERSIZE, HC_BUFFER_SIZE);
		SET(CURLOPT_PREREQFUNCTION, on_prereq);
		SET(CURLOPT_PREREQDATA, x);
		SET(CURLOPT_HEADERFUNCTION, on_header);
		SET(CURLOPT_HEADERDATA, x);
		SET(CURLOPT_WRITEFUNCTION, on_body);
		SET(CURLOPT_WRITEDATA, x);
	}
#undef SET
	return rc == CURLE_OK ? 0 : -EINVAL;
}

void hc_xfer_result(struct hc_xfer *x, CURLcode rc, struct mv_check_result *r)
{
	long os_errno = 0;

	if (!x->decided) {
		switch (rc) {
		case CURLE_OK:
			if (x->spec->type == MV_CHECK_TCP)
				decide(x, MV_OUTCOME_TCP, 0, true);
			else if (x->status != 0 && x->spec->search != NULL)
				decide_match(x); /* the whole body was shorter than 5,120 bytes */
			else
				decide(x, MV_OUTCOME_NO_RESPONSE, 0, false);
			break;
		case CURLE_OPERATION_TIMEDOUT:
			if (x->connected)
				decide(x, MV_OUTCOME_STATUS_TIMEOUT, (uint16_t)x->status_ms, false);
			else
				decide(x, MV_OUTCOME_CONNECT_TIMEOUT, (uint16_t)x->connect_ms,
				       false);
			break;
		case CURLE_COULDNT_CONNECT:
			curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &os_errno);
			decide(x, MV_OUTCOME_CONNECT_FAILED, (uint16_t)os_errno, false);
			break;
		case CURLE_COULDNT_RESOLVE_HOST:
			decide(x, MV_OUTCOME_DNS, 0, false);
			break;
		case CURLE_SSL_CONNECT_ERROR:
			decide(x, MV_OUTCOME_TLS, 0, false);
			break;
		case CURLE_GOT_NOTHING:
		case CURLE_RECV_ERROR:
		case CURLE_SEND_ERROR:
		case CURLE_PARTIAL_FILE:
			decide(x, MV_OUTCOME_NO_RESPONSE, 0, false);
			break;
		case CURLE_WEIRD_SERVER_REPLY:
		case CURLE_UNSUPPORTED_PROTOCOL:
			decide(x, MV_OUTCOME_BAD_RESPONSE, 0, false);
			break;
		default:
			decide(x, MV_OUTCOME_CURL, (uint16_t)rc, false);
			break;
		}
	}
	*r = x->verdict;
	r->time_ms = hc_now_real_ms();
}
