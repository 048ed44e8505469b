/* SPDX-License-Identifier: BSD-3-Clause */
/* Route 53's status debouncing and StatusReport wording: pure functions. */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "status.h"

void mv_check_status_init(struct mv_check_status *s, bool healthy)
{
	s->healthy = healthy;
	s->streak = 0;
}

bool mv_check_status_feed(struct mv_check_status *s, bool success, bool inverted,
			  unsigned threshold)
{
	bool result = success != inverted;

	if (result == s->healthy) {
		s->streak = 0;
		return false;
	}
	if (s->streak < UINT8_MAX)
		s->streak++;
	if (s->streak < (threshold == 0 ? 1 : threshold))
		return false;
	s->healthy = result;
	s->streak = 0;
	return true;
}

bool mv_check_status_effective(const struct mv_check_status *s, bool disabled)
{
	return disabled || s->healthy;
}

const char *mv_check_http_phrase(unsigned status)
{
	static const struct {
		unsigned short code;
		const char *phrase;
	} phrases[] = {
		{200, "OK"},
		{201, "Created"},
		{202, "Accepted"},
		{203, "Non-Authoritative Information"},
		{204, "No Content"},
		{206, "Partial Content"},
		{300, "Multiple Choices"},
		{301, "Moved Permanently"},
		{302, "Found"},
		{303, "See Other"},
		{304, "Not Modified"},
		{307, "Temporary Redirect"},
		{308, "Permanent Redirect"},
		{400, "Bad Request"},
		{401, "Unauthorized"},
		{403, "Forbidden"},
		{404, "Not Found"},
		{405, "Method Not Allowed"},
		{408, "Request Timeout"},
		{410, "Gone"},
		{429, "Too Many Requests"},
		{500, "Internal Server Error"},
		{501, "Not Implemented"},
		{502, "Bad Gateway"},
		{503, "Service Unavailable"},
		{504, "Gateway Timeout"},
	};

	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (phrases[i].code == status)
			return phrases[i].phrase;
	return "";
}

int mv_check_result_format(const struct mv_check_result *r, char *out, size_t cap)
{
	const char *verdict = r->success ? "Success" : "Failure";
	const char *phrase = mv_check_http_phrase(r->detail);
	const char *sep = phrase[0] ? ", " : "";

	switch (r->outcome) {
	case MV_OUTCOME_HTTP:
		return snprintf(out, cap, "%s: HTTP Status Code %u%s%s", verdict, r->detail, sep,
				phrase);
	case MV_OUTCOME_NO_MATCH:
		return snprintf(out, cap,
				"Failure: HTTP Status Code %u%s%s. Search string not found in "
				"the first 5120 bytes of the response body",
				r->detail, sep, phrase);
	case MV_OUTCOME_TCP:
		return snprintf(out, cap, "Success: TCP connection established");
	case MV_OUTCOME_CONNECT_TIMEOUT:
		return snprintf(out, cap, "Failure: Connection timed out after %u ms", r->detail);
	case MV_OUTCOME_STATUS_TIMEOUT:
		return snprintf(out, cap, "Failure: No HTTP status within %u ms after connecting",
				r->detail);
	case MV_OUTCOME_CONNECT_FAILED: {
		const char *why = r->detail ? strerrordesc_np(r->detail) : NULL;

		return snprintf(out, cap, "Failure: %s", why ? why : "Connection failed");
	}
	case MV_OUTCOME_DNS:
		return snprintf(out, cap, "Failure: DNS resolution failed");
	case MV_OUTCOME_TLS:
		return snprintf(out, cap, "Failure: TLS handshake failed");
	case MV_OUTCOME_NO_RESPONSE:
		return snprintf(out, cap, "Failure: Connection closed without a response");
	case MV_OUTCOME_BAD_RESPONSE:
		return snprintf(out, cap, "Failure: Invalid HTTP response");
	case MV_OUTCOME_CURL:
		return snprintf(out, cap, "Failure: %s", curl_easy_strerror((CURLcode)r->detail));
	case MV_OUTCOME_EXTERNAL:
		return snprintf(out, cap, "%s: Set %s by SetHealthCheckStatus", verdict,
				r->success ? "Healthy" : "Unhealthy");
	default:
		return snprintf(out, cap, "%s", verdict);
	}
}
