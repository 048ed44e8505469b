/* SPDX-License-Identifier: BSD-3-Clause */
#include "render.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* One value in presentation form; false when out of memory or the rdata is malformed. */
static bool put_value_text(struct jwrite *w, uint16_t type, const uint8_t *rdata, size_t len)
{
	size_t cap = 4 * len + 512; /* every octet escaped, plus names' dots and quotes */
	char *buf = malloc(cap);
	bool ok = buf != NULL && dns_rdata_to_text(type, rdata, len, buf, cap) >= 0;

	if (ok)
		jwrite_string(w, buf);
	free(buf);
	return ok;
}

int render_rrset_text(struct jwrite *w, const struct mv_rrset *rr, bool as_written)
{
	char name[ZONES_NAME_SIZE];
	bool ok = dns_name_to_text(rr->owner, name, sizeof(name)) >= 0;

	JWRITE_MEMBER(w, "{\"Name\":", ok ? name : "");
	JWRITE_MEMBER(w, ",\"Type\":", dns_type_to_text(rr->type));
	if (rr->set_identifier != NULL)
		JWRITE_MEMBER(w, ",\"SetIdentifier\":", rr->set_identifier);
	if (rr->multivalue)
		JWRITE_LIT(w, ",\"MultiValueAnswer\":true");
	JWRITE_LIT(w, ",\"TTL\":");
	jwrite_uint(w, rr->ttl);
	JWRITE_LIT(w, ",\"ResourceRecords\":[");
	for (uint16_t i = 0; ok && i < rr->count; i++) {
		if (i > 0)
			JWRITE_LIT(w, ",");
		JWRITE_LIT(w, "{\"Value\":");
		if (as_written)
			jwrite_string(w, rr->values[i]);
		else
			ok = put_value_text(w, rr->type, rr->rdata[i], rr->rdata_len[i]);
		JWRITE_LIT(w, "}");
	}
	JWRITE_LIT(w, "]");
	if (rr->health_check_id != NULL)
		JWRITE_MEMBER(w, ",\"HealthCheckId\":", rr->health_check_id);
	JWRITE_LIT(w, "}");
	if (!ok && w->err == 0)
		w->err = -EINVAL;
	return w->err;
}

json_t *render_rrset(const struct mv_rrset *rr, bool as_written)
{
	struct jwrite w = {0};
	size_t len;
	char *text;
	json_t *o;

	render_rrset_text(&w, rr, as_written);
	text = jwrite_finish(&w, &len);
	o = text != NULL ? json_loadb(text, len, 0, NULL) : NULL;
	free(text);
	return o;
}

json_t *render_zone(const struct zones_zone *zone)
{
	char id[ZONES_ID_SIZE + 16];
	json_t *config = json_object();

	snprintf(id, sizeof(id), "/hostedzone/%s", zone->id);
	if (config != NULL && zone->comment != NULL)
		json_object_set_new(config, "Comment", json_string(zone->comment));
	json_object_set_new(config, "PrivateZone", json_false());
	return json_pack("{s:s,s:s,s:s,s:o,s:I}", "Id", id, "Name", zone->name, "CallerReference",
			 zone->caller_reference, "Config", config, "ResourceRecordSetCount",
			 (json_int_t)mv_store_count(zone->store));
}

json_t *render_delegation(const struct zones_zone *zone)
{
	json_t *ns = json_array();

	for (size_t i = 0; ns != NULL && i < zone->name_server_count; i++) {
		const char *s = zone->name_servers[i];
		size_t len = strlen(s);

		if (len > 1 && s[len - 1] == '.')
			len--;
		json_array_append_new(ns, json_stringn(s, len));
	}
	return json_pack("{s:o}", "NameServers", ns);
}

json_t *render_change(const char *id, bool insync, const char *submitted_at, const char *comment)
{
	char path[ZONES_ID_SIZE + 16];
	json_t *o;

	snprintf(path, sizeof(path), "/change/%s", id);
	o = json_pack("{s:s,s:s,s:s}", "Id", path, "Status", insync ? "INSYNC" : "PENDING",
		      "SubmittedAt", submitted_at);
	if (o != NULL && comment != NULL)
		json_object_set_new(o, "Comment", json_string(comment));
	return o;
}

json_t *render_health_check(const struct checks_check *check)
{
	return json_pack("{s:s,s:s,s:o,s:I}", "Id", check->id, "CallerReference",
			 check->caller_reference, "HealthCheckConfig",
			 mv_check_config_to_json(&check->config), "HealthCheckVersion",
			 (json_int_t)check->version);
}

json_t *render_error(const struct mv_error *err, const char *operation)
{
	size_t cap = (MV_ERROR_MAX_MESSAGES + 1) * (MV_ERROR_MESSAGE_MAX + 4) + 256;
	char *buf = malloc(cap);
	const char *msg = "";
	json_t *o;

	if (buf != NULL) {
		int prefix =
			snprintf(buf, cap, "An error occurred (%s) when calling the %s operation: ",
				 err->code, operation);

		mv_error_format(err, operation, buf, cap);
		if (strlen(buf) >= (size_t)prefix)
			msg = buf + prefix;
	}
	o = json_pack("{s:{s:s,s:s}}", "Error", "Code", err->code, "Message", msg);
	free(buf);
	return o;
}
