/* fields.h - --fields-under NAME, as shmlogd and shmlogcat both take it: where a JSON line puts a
 * record's fields (shmlog_format_under() in libshmlog owns the rule; this is its wording for a
 * command line).
 */
#ifndef SHMLOG_CLI_FIELDS_H
#define SHMLOG_CLI_FIELDS_H

/* What a usage error tells a NAME that libshmlog refuses. */
#define CLI_FIELDS_UNDER_RULE                                                                    \
	"use labels, or a name of your own such as myapp: [A-Za-z0-9_] names joined by dots, "   \
	"at most 64 characters, none of log, event, process, ecs, shmlog"

/* Returns 0 when shmlog_format_under() takes NAME, -1 when it refuses it. */
int cli_fields_under_check(const char *name);

#endif
