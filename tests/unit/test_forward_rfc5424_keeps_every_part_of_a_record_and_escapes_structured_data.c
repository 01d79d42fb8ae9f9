/* test_forward_rfc5424_keeps_every_part_of_a_record_and_escapes_structured_data.c - the
 * forwarder's RFC 5424 formatter (shmlogd/forward/rfc5424.h): PRI from facility and level,
 * microsecond UTC time, APP-NAME from the tag (kept whole in the structured data when RFC 5424
 * would cut or change it), PROCID, ring, seq and the ring's id first in [shmlog@32473 ...], PARAM-VALUE
 * escaping of '"', '\' and ']', field keys made into SD-NAMEs, the BOM rule of section 6.4,
 * the snprintf contract at every capacity, and times, floats and ill-formed UTF-8 spelt as in
 * shmlogd's own JSON files (libshmlog writes both). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "rfc5424.h"
#include "shmlog.h"

#define EXAMPLE_NS 1795256103123456789LL /* 2026-11-21T10:15:03.123456789Z */
#define HEAD "<14>1 2026-11-21T10:15:03.123456Z host1 worker 4711 - "
#define SD_START "[shmlog@32473 ring=\"app\" seq=\"42\" tid=\"4712\""

static const struct rfc5424_origin origin = {"host1", "app", 1, 0};

static struct shmlog_record example(void)
{
	return (struct shmlog_record){.seq = 42, .time_ns = EXAMPLE_NS, .pid = 4711, .tid = 4712,
				      .level = SHMLOG_INFO, .tag = "worker", .tag_len = 6,
				      .msg = "request done", .msg_len = 12, .msg_full_len = 12};
}

static unsigned char field_bytes[8192];

static void attach(struct shmlog_record *rec, const struct shmlog_field *f, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t need = field_encoded_size(&f[i]);
		assert_true(need > 0 && len + need <= sizeof(field_bytes));
		len += field_encode(field_bytes + len, &f[i]);
	}
	rec->fields = field_bytes;
	rec->fields_len = len;
	rec->nfields = n;
}

static char out[1 << 16];

/* Formats REC with ORIGIN, checking the snprintf contract at every capacity up to the length. */
static const char *fmt_with(const struct shmlog_record *rec, const struct rfc5424_origin *o)
{
	static char cut[1 << 16];
	size_t n = rfc5424_format(rec, o, out, sizeof(out));

	assert_true(n < sizeof(out));
	out[n] = '\0';
	assert_int_equal(rfc5424_format(rec, o, NULL, 0), n);
	for (size_t cap = 1; cap < n; cap += cap < 64 ? 1 : 97) {
		memset(cut, 0x55, cap + 1);
		assert_int_equal(rfc5424_format(rec, o, cut, cap), n);
		assert_memory_equal(cut, out, cap);
		assert_int_equal((unsigned char)cut[cap], 0x55);
	}
	return out;
}

static const char *fmt(const struct shmlog_record *rec)
{
	return fmt_with(rec, &origin);
}

static void test_a_record_with_fields_is_one_exact_message(void **state)
{
	struct shmlog_record rec = example();
	struct shmlog_field f[] = {SHMLOG_INT("status", 200), SHMLOG_FLOAT("ms", 1.25),
				   SHMLOG_BOOL("ok", 1), SHMLOG_STR("path", "/index.html"),
				   SHMLOG_INT("neg", -7), SHMLOG_FLOAT("third", 1.0 / 3)};

	(void)state;
	attach(&rec, f, 6);
	assert_string_equal(fmt(&rec), HEAD SD_START " status=\"200\" ms=\"1.25\" ok=\"true\" "
				      "path=\"/index.html\" neg=\"-7\" third=\"0.3333333333333333\"] "
				      "request done");
}

static void test_pri_is_facility_times_8_plus_the_levels_syslog_severity(void **state)
{
	static const struct {
		int level, severity;
	} map[] = {{SHMLOG_DEBUG, 7}, {SHMLOG_INFO, 6}, {SHMLOG_WARNING, 4}, {SHMLOG_ERROR, 3},
		   {SHMLOG_CRITICAL, 2}, {0, 5}, {99, 5}};
	struct rfc5424_origin local3 = {"h", "app", 19, 0};
	char want[16];

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct shmlog_record rec = example();
		rec.level = map[i].level;
		snprintf(want, sizeof(want), "<%d>1 ", 19 * 8 + map[i].severity);
		assert_memory_equal(fmt_with(&rec, &local3), want, strlen(want));
	}
}

static void test_param_values_escape_quote_backslash_and_bracket_only(void **state)
{
	struct shmlog_record rec = example();
	struct shmlog_field f[] = {SHMLOG_STR("v", "a\"b\\c]d[e=f g\tn\n")};

	(void)state;
	attach(&rec, f, 1);
	assert_non_null(strstr(fmt(&rec), " v=\"a\\\"b\\\\c\\]d[e=f g\tn\n\"]"));
}

static void test_param_values_keep_utf8_and_replace_ill_formed_bytes(void **state)
{
	struct shmlog_record rec = example();
	struct shmlog_field f[] = {SHMLOG_STR("u", "caf\xc3\xa9 \xff\xc0\xaf \xed\xa0\x80 \xf0\x9f\x98\x80")};

	(void)state;
	attach(&rec, f, 1);
	assert_non_null(strstr(fmt(&rec), " u=\"caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
					  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80\"]"));
}

static void test_keys_become_sd_names_and_never_take_shmlogs_own(void **state)
{
	struct shmlog_record rec = example();
	struct shmlog_field f[] = {
		SHMLOG_INT("a=b", 1), SHMLOG_INT("a b", 2), SHMLOG_INT("x]\"", 3),
		SHMLOG_INT("k\xc3\xa9", 4), SHMLOG_INT("seq", 5), SHMLOG_INT("ring", 6),
		SHMLOG_INT("abcdefghijklmnopqrstuvwxyz0123456789", 7), SHMLOG_INT("request.id", 8)};

	(void)state;
	attach(&rec, f, 8);
	assert_non_null(strstr(fmt(&rec), SD_START " a_b=\"1\" a_b=\"2\" x__=\"3\" k__=\"4\" "
						   "_seq=\"5\" _ring=\"6\" "
						   "abcdefghijklmnopqrstuvwxyz012345=\"7\" "
						   "request.id=\"8\"] "));
}

static void test_floats_read_back_and_nonfinite_ones_have_names(void **state)
{
	struct shmlog_record rec = example();
	struct shmlog_field f[] = {SHMLOG_FLOAT("a", 0.1), SHMLOG_FLOAT("b", 1e300),
				   SHMLOG_FLOAT("c", NAN), SHMLOG_FLOAT("d", -INFINITY),
				   SHMLOG_FLOAT("e", 5e-324), SHMLOG_BOOL("f", 0),
				   SHMLOG_FLOAT("g", 1.0), SHMLOG_FLOAT("h", -250.0)};

	(void)state;
	attach(&rec, f, 8);
	/* libshmlog's floats: at most 17 digits, never fewer than 15 would need to read back, and
	 * an integral value keeps its ".0". */
	assert_non_null(strstr(fmt(&rec), " a=\"0.1\" b=\"1e+300\" c=\"NaN\" d=\"-Infinity\" "
					  "e=\"4.94065645841247e-324\" f=\"false\" g=\"1.0\" "
					  "h=\"-250.0\"]"));
}

/* The text of the PARAM-VALUE KEY="..." in M (no '"' inside), copied to DST. */
static const char *param(const char *m, const char *key, char *dst, size_t cap)
{
	char name[32];
	const char *p, *end;

	snprintf(name, sizeof(name), " %s=\"", key);
	p = strstr(m, name);
	assert_non_null(p);
	p += strlen(name);
	end = strchr(p, '"');
	assert_non_null(end);
	assert_true((size_t)(end - p) < cap);
	memcpy(dst, p, (size_t)(end - p));
	dst[end - p] = '\0';
	return dst;
}

static void test_time_floats_and_ill_formed_utf8_read_as_in_shmlogds_json_files(void **state)
{
	static char json[1 << 12];
	struct shmlog_record rec = example();
	struct shmlog_field f[] = {SHMLOG_FLOAT("a", 1.0), SHMLOG_FLOAT("b", 1.0 / 3),
				   SHMLOG_FLOAT("c", 5e-324), SHMLOG_FLOAT("d", 123456789.0),
				   SHMLOG_STR("u", "x\xff\xc0\xaf\xed\xa0\x80y\xe2\x82\xf0\x9f\x98")};
	const char *keys[] = {"a", "b", "c", "d"};
	char value[256], want[300];

	(void)state;
	attach(&rec, f, 5);
	assert_true(shmlog_format(&rec, SHMLOG_FORMAT_JSON, 0, json, sizeof(json)) <
		    (ssize_t)sizeof(json));
	const char *m = fmt(&rec);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(want, sizeof(want), "\"%s\":%s", keys[i],
			 param(m, keys[i], value, sizeof(value)));
		assert_non_null(strstr(json, want));
	}
	snprintf(want, sizeof(want), "\"u\":\"%s\"", param(m, "u", value, sizeof(value)));
	assert_non_null(strstr(json, want));
	assert_non_null(strstr(json, "\"@timestamp\":\"2026-11-21T10:15:03.123456Z\""));
	assert_non_null(strstr(m, "<14>1 2026-11-21T10:15:03.123456Z "));
}

static void test_a_tag_rfc5424_cannot_hold_is_cut_or_replaced_and_kept_whole_in_sd(void **state)
{
	static const char long_tag[] = "a.very.long.logger.name.that.goes.on.and.on.beyond.48";
	struct shmlog_record rec = example();

	(void)state;
	rec.tag = long_tag;
	rec.tag_len = sizeof(long_tag) - 1;
	assert_non_null(strstr(fmt(&rec), " a.very.long.logger.name.that.goes.on.and.on.beyo 4711 - "
					  SD_START " tag=\"" "a.very.long.logger.name.that.goes.on"
					  ".and.on.beyond.48\"] request"));
	rec.tag = "my app]\xc3\xa9";
	rec.tag_len = strlen(rec.tag);
	assert_non_null(strstr(fmt(&rec), " my_app]__ 4711 - " SD_START " tag=\"my app\\]\xc3\xa9\"]"));
	rec.tag_len = 0;
	assert_non_null(strstr(fmt(&rec), "Z host1 - 4711 - " SD_START "] request"));
}

static void test_msg_gets_a_bom_only_when_it_is_utf8_beyond_ascii(void **state)
{
	struct shmlog_record rec = example();

	(void)state;
	assert_non_null(strstr(fmt(&rec), "\"] request done"));
	rec.msg = "caf\xc3\xa9";
	rec.msg_len = 5;
	assert_non_null(strstr(fmt(&rec), "\"] \xef\xbb\xbf" "caf\xc3\xa9"));
	rec.msg = "raw \xff\n";
	rec.msg_len = 6;
	assert_non_null(strstr(fmt(&rec), "\"] raw \xff\n"));
	rec.msg_len = 0;
	const char *m = fmt(&rec);
	assert_string_equal(m + strlen(m) - 2, "\"]");
}

static void test_truncation_loss_reports_and_damaged_fields_are_said_in_sd(void **state)
{
	struct shmlog_record rec = example();
	struct shmlog_field f[] = {SHMLOG_INT("a", 1), SHMLOG_INT("b", 2)};

	(void)state;
	rec.flags = SHMLOG_REC_TRUNCATED | SHMLOG_REC_SYNTHETIC;
	rec.msg_full_len = 20000;
	rec.count = 52;
	attach(&rec, f, 2);
	rec.fields_len -= 3; /* b's value runs past the end */
	assert_non_null(strstr(fmt(&rec), SD_START " truncated=\"20000\" count=\"52\" a=\"1\" "
						   "damaged=\"fields\"] request done"));
}

static void test_a_time_before_1970_is_the_nil_value(void **state)
{
	struct shmlog_record rec = example();

	(void)state;
	rec.time_ns = -1;
	assert_non_null(strstr(fmt(&rec), "<14>1 - host1 worker"));
	rec.time_ns = INT64_MIN;
	assert_non_null(strstr(fmt(&rec), "<14>1 - host1 worker"));
	rec.time_ns = INT64_MAX;
	assert_non_null(strstr(fmt(&rec), "<14>1 2262-04-11T23:47:16.854775Z host1"));
	rec.time_ns = 0;
	assert_non_null(strstr(fmt(&rec), "<14>1 1970-01-01T00:00:00.000000Z host1"));
}

static void test_the_ring_id_follows_seq_when_known(void **state)
{
	struct shmlog_record rec = example();
	struct rfc5424_origin o = {"host1", "app", 1, 0x00c0ffee12345678ull};
	struct shmlog_field f[] = {SHMLOG_INT("ringid", 1)};

	(void)state;
	attach(&rec, f, 1);
	assert_non_null(strstr(fmt_with(&rec, &o), "[shmlog@32473 ring=\"app\" seq=\"42\" "
						   "ringid=\"00c0ffee12345678\" tid=\"4712\" "
						   "_ringid=\"1\"] request"));
}

static void test_hostname_is_printable_ascii_or_the_nil_value(void **state)
{
	struct shmlog_record rec = example();
	struct rfc5424_origin o = {"bad host\x01", "app", 1, 0};

	(void)state;
	assert_non_null(strstr(fmt_with(&rec, &o), "Z bad_host_ worker 4711"));
	o.hostname = "";
	assert_non_null(strstr(fmt_with(&rec, &o), "Z - worker 4711"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_record_with_fields_is_one_exact_message),
		cmocka_unit_test(test_pri_is_facility_times_8_plus_the_levels_syslog_severity),
		cmocka_unit_test(test_param_values_escape_quote_backslash_and_bracket_only),
		cmocka_unit_test(test_param_values_keep_utf8_and_replace_ill_formed_bytes),
		cmocka_unit_test(test_keys_become_sd_names_and_never_take_shmlogs_own),
		cmocka_unit_test(test_floats_read_back_and_nonfinite_ones_have_names),
		cmocka_unit_test(test_time_floats_and_ill_formed_utf8_read_as_in_shmlogds_json_files),
		cmocka_unit_test(test_a_tag_rfc5424_cannot_hold_is_cut_or_replaced_and_kept_whole_in_sd),
		cmocka_unit_test(test_msg_gets_a_bom_only_when_it_is_utf8_beyond_ascii),
		cmocka_unit_test(test_truncation_loss_reports_and_damaged_fields_are_said_in_sd),
		cmocka_unit_test(test_a_time_before_1970_is_the_nil_value),
		cmocka_unit_test(test_the_ring_id_follows_seq_when_known),
		cmocka_unit_test(test_hostname_is_printable_ascii_or_the_nil_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
