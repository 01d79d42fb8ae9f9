/* http.c - parsing request heads and writing response heads for the example server.
 *
 * Deliberately small: a request line, headers scanned only for Connection, no bodies (the
 * server answers anything but GET and HEAD with 405 and closes the connection).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* The value of header NAME in the head HEAD (LEN bytes, lines ending in CRLF), or NULL. */
static const char *header_value(const char *head, size_t len, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *p = memchr(head, '\n', len), *end = head + len;

	while (p && ++p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			break;
		if ((size_t)(eol - p) > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
			const char *v = p + nlen + 1;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			if (*vlen && v[*vlen - 1] == '\r')
				(*vlen)--;
			return v;
		}
		p = eol;
	}
	return NULL;
}

static int value_has(const char *v, size_t vlen, const char *token)
{
	size_t tlen = strlen(token);

	for (size_t i = 0; i + tlen <= vlen; i++)
		if (strncasecmp(v + i, token, tlen) == 0)
			return 1;
	return 0;
}

int http_parse(const char *buf, size_t len, struct http_request *req)
{
	const char *end = NULL, *sp1, *sp2, *eol, *conn;
	size_t head_len, vlen;
	int minor;

	for (size_t i = 3; i < len && i < HTTP_MAX_HEAD; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
			end = buf + i + 1;
			break;
		}
	if (!end)
		return len >= HTTP_MAX_HEAD ? -1 : 0;
	head_len = (size_t)(end - buf);
	eol = memchr(buf, '\r', head_len);
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (!sp2 || sp1 == buf || (size_t)(sp1 - buf) >= sizeof(req->method) ||
	    (size_t)(sp2 - sp1 - 1) >= sizeof(req->path) || sp2 == sp1 + 1 ||
	    eol - sp2 - 1 != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return -1;
	memcpy(req->method, buf, (size_t)(sp1 - buf));
	req->method[sp1 - buf] = '\0';
	memcpy(req->path, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	req->path[sp2 - sp1 - 1] = '\0';
	minor = sp2[8] - '0';
	/* HTTP/1.1 keeps the connection unless told to close; 1.0 closes unless told to keep. */
	conn = header_value(buf, head_len, "Connection", &vlen);
	if (minor == 1)
		req->keep_alive = !(conn && value_has(conn, vlen, "close"));
	else
		req->keep_alive = conn && value_has(conn, vlen, "keep-alive");
	return (int)head_len;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	default:
		return "Internal Server Error";
	}
}

size_t http_head(char *out, size_t cap, int status, const char *content_type, size_t body_len,
		 int keep_alive, const char *request_id)
{
	int n = snprintf(out, cap,
			 "HTTP/1.1 %d %s\r\n"
			 "Server: prefork-httpd (shmlog example)\r\n"
			 "Content-Type: %s\r\n"
			 "Content-Length: %zu\r\n"
			 "Connection: %s\r\n"
			 "X-Request-Id: %s\r\n"
			 "%s"
			 "\r\n",
			 status, http_reason(status), content_type, body_len,
			 keep_alive ? "keep-alive" : "close", request_id,
			 status == 405 ? "Allow: GET, HEAD\r\n" : "");

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}
