/* http_easy.c - one transfer of http.c's (http_int.h): its request on a
 * libcurl easy handle, the body and headers as they arrive, the
 * private-address check, and the answer read back. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../feeds/url.h"
#include "http_int.h"

#define CONNECT_TIMEOUT 20L
/* A server that sends less than LOW_SPEED_BYTES per second for
 * LOW_SPEED_SECONDS (or half the whole timeout, when shorter, so that it
 * can fire first) is dropped: a trickle cannot hold a slot forever. */
#define LOW_SPEED_BYTES 10L
#define LOW_SPEED_SECONDS 30.0

void
http_transfer_free(struct http_transfer *t)
{
	if (t->easy)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->perm_url);
	free(t->errbuf);
	free(t->url);
	free(t->password);
	free(t->user_agent);
	free(t->proxy);
	free(t->ca_file);
	free(t->body);
	free(t);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_transfer *t = userp;
	size_t n = size * nmemb;

	if ((int64_t)(t->len + n) > t->max_bytes) {
		t->too_big = 1;
		return 0;
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 16384;
		char *p;
		while (cap < t->len + n + 1)
			cap *= 2;
		if ((p = realloc(t->body, cap)) == NULL)
			return 0;
		t->body = p;
		t->cap = cap;
	}
	memcpy(t->body + t->len, data, n);
	t->len += n;
	t->body[t->len] = '\0';
	return n;
}

static int
v4_is_private(uint32_t a)
{
	return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
	    (a >> 20) == (172u << 4 | 1) ||       /* 172.16/12 */
	    (a >> 16) == (192u << 8 | 168) ||     /* 192.168/16 */
	    (a >> 16) == (169u << 8 | 254) ||     /* 169.254/16 */
	    (a >> 22) == (100u << 2 | 1) ||       /* 100.64/10 */
	    (a >> 28) >= 14;                      /* multicast, reserved */
}

static uint32_t
v4_at(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/*
 * An IPv6 address that carries an IPv4 one reaches that IPv4 host (the
 * kernel, a NAT64 or a relay translates), so it is as private as the
 * address it carries.
 */
static int
v6_is_private(const struct in6_addr *a)
{
	static const uint8_t compat[12];                  /* ::/96 */
	static const uint8_t siit[12] = { [8] = 0xff, [9] = 0xff };
	static const uint8_t nat64[12] = { 0, 0x64, 0xff, 0x9b };
	const uint8_t *b = a->s6_addr;

	/* The last 32 bits: mapped ::ffff:0:0/96, compatible ::/96 (with ::
	 * and ::1), translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96. */
	if (IN6_IS_ADDR_V4MAPPED(a) || memcmp(b, compat, 12) == 0 ||
	    memcmp(b, siit, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return v4_is_private(v4_at(b + 12));
	/* NAT64's local-use 64:ff9b:1::/48 (RFC 8215) leads into a private
	 * network by definition, whatever it embeds. */
	if (memcmp(b, nat64, 4) == 0 && b[4] == 0 && b[5] == 1)
		return 1;
	/* 6to4 2002::/16: bits 16..47. */
	if (b[0] == 0x20 && b[1] == 0x02)
		return v4_is_private(v4_at(b + 2));
	/* Teredo 2001::/32: the server in bits 32..63, the client inverted
	 * in the last 32. */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
		return v4_is_private(v4_at(b + 4)) ||
		    v4_is_private(~v4_at(b + 12));
	return IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_SITELOCAL(a) ||
	    IN6_IS_ADDR_MULTICAST(a) || (b[0] & 0xfe) == 0xfc;
}

int
http_addr_is_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return v4_is_private(ntohl(((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return v6_is_private(&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr);
	return 1;
}

/* The check sits at connect time, after name resolution, so a public
 * name that resolves to 127.0.0.1 is caught too. */
static curl_socket_t
on_open_socket(void *userp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct http_transfer *t = userp;

	(void)purpose;
	if (!t->allow_private && http_addr_is_private(&addr->addr)) {
		const void *in = addr->family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)&addr->addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)&addr->addr)->sin_addr;
		t->refused_private = 1;
		inet_ntop(addr->family, in, t->refused_addr, sizeof(t->refused_addr));
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/* The connect-time check cannot see a reused connection (the feed's own
 * keep-alive connection to the same host, say); this one runs before every
 * request, on whatever connection carries it, redirects included. */
static int
on_prereq(void *userp, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct http_transfer *t = userp;
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in v4 = { .sin_family = AF_INET };
	const struct sockaddr *sa;

	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (t->allow_private)
		return CURL_PREREQFUNC_OK;
	if (inet_pton(AF_INET, primary_ip, &v4.sin_addr) == 1)
		sa = (const struct sockaddr *)&v4;
	else if (inet_pton(AF_INET6, primary_ip, &v6.sin6_addr) == 1)
		sa = (const struct sockaddr *)&v6;
	else
		sa = NULL;
	if (sa == NULL || http_addr_is_private(sa)) {
		t->refused_private = 1;
		snprintf(t->refused_addr, sizeof(t->refused_addr), "%s", primary_ip);
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* A URL from libcurl as callers may show it: without a password, which
 * libcurl writes back into the URL it was given beside it. */
static char *
shown_url(const char *url)
{
	char *password, *out = url_without_password(url, &password);

	free(password);
	return out;
}

static const char *
header_value(CURL *easy, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

/*
 * Each response's status line, redirects included: the chain's leading
 * permanent redirects are the ones a caller may remember.  An interim
 * answer (1xx) or a proxy's answer to CONNECT comes before the real one
 * of the same hop and changes nothing.
 */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *userp)
{
	struct http_transfer *t = userp;
	size_t n = size * nmemb;
	long hop = 0, status;
	char *url = NULL, *p;

	if (n < 12 || strncmp(data, "HTTP/", 5) != 0 ||
	    (p = memchr(data, ' ', n)) == NULL || p + 4 > data + n)
		return n;
	status = strtol(p + 1, NULL, 10);
	curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_COUNT, &hop);
	if (status < 200 || hop != t->perm_hops)
		return n;
	if (hop > 0 && curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL,
	    &url) == CURLE_OK && url) {
		free(t->perm_url);
		if ((t->perm_url = shown_url(url)) == NULL)
			return 0;
	}
	if (status == 301 || status == 308)
		t->perm_hops++;
	return n;
}

/* Seconds from the response's Date (our clock when it has none) to the
 * HTTP-date value, -1 when value is not a date. */
static double
seconds_until(CURL *easy, const char *value)
{
	const char *date = header_value(easy, "Date");
	time_t when = curl_getdate(value, NULL), now = -1;

	if (when == -1)
		return -1;
	if (date)
		now = curl_getdate(date, NULL);
	if (now == -1)
		now = time(NULL);
	return when > now ? (double)(when - now) : 0;
}

/* Retry-After: delta seconds or an HTTP-date (RFC 9110 10.2.3). */
static double
retry_after(CURL *easy)
{
	const char *v = header_value(easy, "Retry-After");
	char *end;
	double s;

	if (v == NULL)
		return -1;
	if (*v >= '0' && *v <= '9') {
		s = strtod(v, &end);
		return *end == '\0' || *end == ' ' ? s : -1;
	}
	return seconds_until(easy, v);
}

/* Cache-Control's max-age, unless no-store or no-cache forbid reuse. */
static double
max_age(CURL *easy)
{
	const char *v = header_value(easy, "Cache-Control");
	double age = -1;

	for (const char *p = v; p && *p; p += strcspn(p, ",")) {
		p += strspn(p, ", \t");
		if (strncasecmp(p, "no-store", 8) == 0 ||
		    strncasecmp(p, "no-cache", 8) == 0)
			return -1;
		if (strncasecmp(p, "max-age=", 8) == 0 && p[8] >= '0' &&
		    p[8] <= '9')
			age = strtod(p + 8, NULL);
	}
	return age;
}

static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[1024];
	struct curl_slist *l;

	snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((l = curl_slist_append(*list, line)) == NULL)
		return -1;
	*list = l;
	return 0;
}

int
http_transfer_copy(struct http_transfer *t, const struct http_request *req)
{
	struct curl_slist *l;

	if ((t->url = strdup(req->url)) == NULL ||
	    (req->password && (t->password = strdup(req->password)) == NULL) ||
	    (req->user_agent && (t->user_agent = strdup(req->user_agent)) == NULL) ||
	    (req->proxy && (t->proxy = strdup(req->proxy)) == NULL) ||
	    (req->ca_file && (t->ca_file = strdup(req->ca_file)) == NULL))
		return -1;
	if ((req->etag && add_header(&t->headers, "If-None-Match", req->etag)) ||
	    (req->last_modified &&
	    add_header(&t->headers, "If-Modified-Since", req->last_modified)))
		return -1;
	for (size_t i = 0; i < req->nheaders; i++) {
		if ((l = curl_slist_append(t->headers, req->headers[i])) == NULL)
			return -1;
		t->headers = l;
	}
	t->timeout = req->timeout;
	return 0;
}

int
http_transfer_start(struct http_transfer *t)
{
	CURL *e;
	double low_speed = t->timeout / 2 < LOW_SPEED_SECONDS ?
	    t->timeout / 2 : LOW_SPEED_SECONDS;

	if ((t->errbuf = calloc(1, CURL_ERROR_SIZE)) == NULL ||
	    (e = t->easy = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(e, CURLOPT_URL, t->url);
	/* Beside the URL rather than in it: libcurl sends it to url's host
	 * alone (not to a redirect's), and no URL handed out carries it. */
	if (t->password)
		curl_easy_setopt(e, CURLOPT_PASSWORD, t->password);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, t->user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (t->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, t->ca_file);
	if (t->proxy)
		curl_easy_setopt(e, CURLOPT_PROXY, t->proxy);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(t->timeout * 1000));
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_BYTES);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
	    low_speed >= 1 ? (long)low_speed : 1L);
	/* No CURLOPT_MAXFILESIZE: it judges the encoded Content-Length,
	 * while the cap is on decoded bytes (on_body). */
	return curl_multi_add_handle(t->http->multi, e) == CURLM_OK ? 0 : -1;
}

char *
http_transfer_response(struct http_transfer *t, CURLcode rc,
    struct http_response *res, char *reason, size_t reasonlen)
{
	char *url = NULL, *ctype = NULL, *shown;

	memset(res, 0, sizeof(*res));
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
	curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ctype);
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &res->seconds);
	shown = shown_url(url ? url : t->url);
	res->url = shown ? shown : "(out of memory)";
	res->content_type = ctype;
	res->retry_after = res->max_age = res->expires_in = -1;
	if (rc == CURLE_OK) {
		const char *expires = header_value(t->easy, "Expires");

		res->etag = header_value(t->easy, "ETag");
		res->last_modified = header_value(t->easy, "Last-Modified");
		res->body = t->body ? t->body : "";
		res->len = t->len;
		res->permanent_url = t->perm_url;
		res->retry_after = retry_after(t->easy);
		if (res->retry_after > t->http->max_retry_after)
			res->retry_after = t->http->max_retry_after;
		res->max_age = max_age(t->easy);
		res->expires_in = expires ? seconds_until(t->easy, expires) : -1;
	} else {
		if (t->too_big)
			snprintf(reason, reasonlen, "body larger than %lld "
			    "bytes once decoded: transfer aborted",
			    (long long)t->max_bytes);
		else if (rc == CURLE_TOO_MANY_REDIRECTS)
			snprintf(reason, reasonlen, "more than %d redirects"
			    " (a redirect loop?)", MAX_REDIRECTS);
		else if (t->refused_private)
			snprintf(reason, reasonlen, "refused to connect to "
			    "private address %s (allow_private_addresses is off)",
			    t->refused_addr);
		else if (t->failed_start)
			snprintf(reason, reasonlen, "cannot start transfer");
		else
			snprintf(reason, reasonlen, "%s", t->errbuf[0] ?
			    t->errbuf : curl_easy_strerror(rc));
		res->error = reason;
		res->body = "";
	}
	return shown;
}
