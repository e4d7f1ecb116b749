/*
 * url.h - make links absolute.
 *
 * Promises: resolution follows RFC 3986 (libxml2's URI functions); results
 * are newly allocated; nothing touches the network.
 */
#ifndef NW_URL_H
#define NW_URL_H

/*
 * Resolve ref against base.  Surrounding whitespace in ref is ignored.
 * base may be NULL (ref returned as is, trimmed).  Returns a malloc'ed
 * string the caller frees, or NULL when ref is NULL/empty or unusable.
 */
char *url_resolve(const char *base, const char *ref);

/* 1 when url is an absolute http: or https: URL, else 0. */
int url_is_http(const char *url);

#endif
