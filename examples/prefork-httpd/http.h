/* http.h - the little of HTTP/1.1 the example server speaks: parse a request head, write a
 * response head. */
#ifndef PREFORK_HTTPD_HTTP_H
#define PREFORK_HTTPD_HTTP_H

#include <stddef.h>

#define HTTP_MAX_HEAD 8192

struct http_request {
	char method[16];
	char path[1024];
	int keep_alive; /* the client wants the connection kept open after the response */
};

/* Parses the request head at the start of BUF (LEN bytes). Returns the length of the head
 * (through the blank line) with *req filled, 0 if the head is not complete yet, or -1 if it is
 * malformed or longer than HTTP_MAX_HEAD. */
int http_parse(const char *buf, size_t len, struct http_request *req);

/* The reason phrase of STATUS ("OK", "Not Found", ...). */
const char *http_reason(int status);

/* Writes a response head into OUT (CAP bytes); returns its length, or 0 if it does not fit. */
size_t http_head(char *out, size_t cap, int status, const char *content_type, size_t body_len,
		 int keep_alive, const char *request_id);

#endif
