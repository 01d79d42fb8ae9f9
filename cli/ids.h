/* ids.h - command-line words the programs share for who may own or use a ring: a user (name or
 * number) and a permission mode (octal), parsed the same way by shmlogd and shmlogger. */
#ifndef SHMLOG_CLI_IDS_H
#define SHMLOG_CLI_IDS_H

#include <sys/types.h>

/* A user name from the password database, or a uid in decimal. Returns 0, or -1 for neither. */
int tool_parse_user(const char *s, uid_t *out);

/* Octal digits only (strtoul would also take blanks and a sign), at most 0777: no setuid, setgid
 * or sticky bit on a log file or a ring. Returns 0, or -1. */
int tool_parse_mode(const char *s, mode_t *out);

#endif
