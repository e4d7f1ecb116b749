/*
 * url.c - RFC 3986 reference resolution on top of libxml2's URI code.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>
#include <libxml/xmlmemory.h>

#include "text.h"
#include "url.h"

/* A copy of s without surrounding whitespace, or NULL when nothing is left. */
static char *
trimmed(const char *s)
{
	size_t len;

	while (text_is_space((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && text_is_space((unsigned char)s[len - 1]))
		len--;
	return len == 0 ? NULL : strndup(s, len);
}

/*
 * Percent-encode what RFC 3986 never allows in a URI (spaces, controls,
 * non-ASCII bytes, a few delimiters, a '%' that starts no escape) so that
 * xmlBuildURI accepts the links real feeds carry.
 */
static char *
escape_loose(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(s);
	char *out, *o;

	if ((out = malloc(len * 3 + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c) != NULL ||
		    (c == '%' && (!isxdigit((unsigned char)s[1]) ||
		    !isxdigit((unsigned char)s[2])))) {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

/* xmlBuildURI's result as a malloc'ed string (libxml2 may use its own
 * allocator). */
static char *
build(const char *ref, const char *base)
{
	xmlChar *u;
	char *out;

	u = xmlBuildURI((const xmlChar *)ref, (const xmlChar *)base);
	if (u == NULL)
		return NULL;
	out = strdup((const char *)u);
	xmlFree(u);
	return out;
}

char *
url_resolve(const char *base, const char *ref)
{
	char *r = NULL, *b = NULL, *er = NULL, *eb = NULL, *out = NULL;

	if (ref == NULL || (r = trimmed(ref)) == NULL)
		return NULL;
	if (base == NULL || (b = trimmed(base)) == NULL)
		return r;
	if ((out = build(r, b)) != NULL)
		goto done;
	/* Retry with the illegal bytes escaped rather than lose the link. */
	if ((er = escape_loose(r)) == NULL || (eb = escape_loose(b)) == NULL)
		goto done;
	out = build(er, eb);
done:
	free(eb);
	free(er);
	free(b);
	free(r);
	return out;
}

int
url_is_http(const char *url)
{
	size_t n;

	if (url == NULL)
		return 0;
	if (strncasecmp(url, "http://", 7) == 0)
		n = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		n = 8;
	else
		return 0;
	/* There must be a host. */
	return url[n] != '\0' && url[n] != '/' && url[n] != '?' &&
	    url[n] != '#' && !text_is_space((unsigned char)url[n]);
}

int
url_is_relative_ref(const char *ref)
{
	const unsigned char *s = (const unsigned char *)ref;
	int before_path = 1;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s <= 0x20 || *s == 0x7f)
			return 0;
		if (*s == '/' || *s == '?' || *s == '#')
			before_path = 0;
		else if (*s == ':' && before_path)
			return 0;
	}
	return 1;
}

/* The authority of an absolute URL, [start, *end), or NULL. */
static const char *
authority(const char *url, const char **end)
{
	const char *s = strstr(url, "://");

	if (s == NULL)
		return NULL;
	s += 3;
	*end = s + strcspn(s, "/?#");
	return s;
}

char *
url_without_password(const char *url, char **password)
{
	const char *auth, *end, *at = NULL, *colon;
	char *out, *raw;

	*password = NULL;
	/* The last '@' ends the user info; its first ':' starts the
	 * password. */
	if ((auth = authority(url, &end)) != NULL)
		for (const char *c = auth; c < end; c++)
			if (*c == '@')
				at = c;
	if (at == NULL || (colon = memchr(auth, ':', (size_t)(at - auth))) ==
	    NULL)
		return strdup(url);
	/* libxml2 reads a length of 0 as "up to the NUL". */
	if (at == colon + 1)
		*password = strdup("");
	else if ((raw = (char *)xmlURIUnescapeString(colon + 1,
	    (int)(at - colon - 1), NULL)) != NULL) {
		*password = strdup(raw);
		xmlFree(raw);
	}
	if (*password == NULL ||
	    asprintf(&out, "%.*s%s", (int)(colon - url), url, at) == -1) {
		free(*password);
		*password = NULL;
		return NULL;
	}
	return out;
}

int
url_same_origin(const char *a, const char *b)
{
	const char *ea, *eb;

	if (authority(a, &ea) == NULL || authority(b, &eb) == NULL)
		return 0;
	return ea - a == eb - b && strncasecmp(a, b, (size_t)(ea - a)) == 0;
}

/* Query parameters that say where a reader came from, not what the page
 * is: analytics campaigns, ad click ids, newsletter ids. */
static int
tracking_param(const char *p, size_t len)
{
	static const char *const prefixes[] = { "utm_", "ns_", "at_" };
	static const char *const names[] = { "fbclid", "gclid", "dclid",
	    "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
	    "mc_eid", "_ga", "_gl", "ocid", "cmpid", "ref_src", "ito",
	    "smid", "wt_mc" };
	size_t name = strcspn(p, "=");

	if (name > len)
		name = len;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncasecmp(p, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (name == strlen(names[i]) &&
		    strncasecmp(p, names[i], name) == 0)
			return 1;
	return 0;
}

char *
url_canonical(const char *url)
{
	const char *host, *end, *path, *query, *q;
	char *out, *o;
	size_t hostlen;

	if (url == NULL || !url_is_http(url) ||
	    (host = authority(url, &end)) == NULL)
		return NULL;
	if ((out = o = malloc(strlen(url) + 2)) == NULL)
		return NULL;
	for (const char *s = url; s < host; s++)
		*o++ = (char)tolower((unsigned char)*s);
	hostlen = (size_t)(end - host);
	/* The default port says nothing: http://a:80/ is http://a/. */
	if ((out[4] == ':' && hostlen > 3 &&
	    strncmp(end - 3, ":80", 3) == 0) ||
	    (out[4] == 's' && hostlen > 4 && strncmp(end - 4, ":443", 4) == 0))
		hostlen -= out[4] == ':' ? 3 : 4;
	for (size_t i = 0; i < hostlen; i++)
		*o++ = (char)tolower((unsigned char)host[i]);
	path = end;
	query = path + strcspn(path, "?#");
	if (query == path)
		*o++ = '/';
	memcpy(o, path, (size_t)(query - path));
	o += query - path;
	if (*query == '?') {
		char sep = '?';

		for (q = query + 1; *q != '\0' && *q != '#';) {
			size_t len = strcspn(q, "&#");

			if (len > 0 && !tracking_param(q, len)) {
				*o++ = sep;
				memcpy(o, q, len);
				o += len;
				sep = '&';
			}
			q += len + (q[len] == '&');
		}
	}
	*o = '\0';
	return out;
}
