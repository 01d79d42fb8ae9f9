/* fields.c - checks a --fields-under NAME once, at the command line (see fields.h). */
#include <shmlog.h>

#include "fields.h"

/* The library checks the name before it looks at the record, so any valid record will do. */
int cli_fields_under_check(const char *name)
{
	static const struct shmlog_record probe = {.level = SHMLOG_INFO};

	return shmlog_format_under(&probe, SHMLOG_FORMAT_JSON, 0, name, NULL, 0) < 0 ? -1 : 0;
}
