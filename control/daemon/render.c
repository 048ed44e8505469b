/* SPDX-License-Identifier: BSD-3-Clause */
#include "render.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* One value in presentation form, or NULL (out of memory or malformed rdata). */
static json_t *value_text(uint16_t type, const uint8_t *rdata, size_t len)
{
	size_t cap = 4 * len + 512; /* every octet escaped, plus names' dots and quotes */
	char *buf = malloc(cap);
	json_t *v = NULL;

	if (buf != NULL && dns_rdata_to_text(type, rdata, len, buf, cap) >= 0)
		v = json_string(buf);
	free(buf);
	return v;
}

json_t *render_rrset(const struct mv_rrset *rr, bool as_written)
{
	json_t *o = json_object(), *records = json_array();
	char name[ZONES_NAME_SIZE];
	int bad = o == NULL || records == NULL;

	bad |= dns_name_to_text(rr->owner, name, sizeof(name)) < 0;
	bad |= json_object_set_new(o, "Name", json_string(name));
	bad |= json_object_set_new(o, "Type", json_string(dns_type_to_text(rr->type)));
	if (rr->set_identifier != NULL)
		bad |= json_object_set_new(o, "SetIdentifier", json_string(rr->set_identifier));
	if (rr->multivalue)
		bad |= json_object_set_new(o, "MultiValueAnswer", json_true());
	bad |= json_object_set_new(o, "TTL", json_integer(rr->ttl));
	for (uint16_t i = 0; !bad && i < rr->count; i++) {
		json_t *v = as_written ? json_string(rr->values[i])
				       : value_text(rr->type, rr->rdata[i], rr->rdata_len[i]);

		bad |= json_array_append_new(records, json_pack("{s:o*}", "Value", v));
		bad |= v == NULL;
	}
	bad |= json_object_set(o, "ResourceRecords", records);
	if (rr->health_check_id != NULL)
		bad |= json_object_set_new(o, "HealthCheckId", json_string(rr->health_check_id));
	json_decref(records);
	if (bad) {
		json_decref(o);
		return NULL;
	}
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
