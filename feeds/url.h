/*
 * url.h - make links absolute, keep passwords out of URLs shown.
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

/*
 * 1 when ref is a relative reference that no base resolved (`parse FILE`
 * without --url): no scheme, and no whitespace or control byte that a
 * browser would strip to reveal one ("java\tscript:"), else 0.
 */
int url_is_relative_ref(const char *ref);

/*
 * url with the password taken out of its user info:
 * "http://user:pw@host/f" gives "http://user@host/f" and *password "pw"
 * (percent-decoded, malloc'ed), or *password NULL when url has none (the
 * copy is then url as it is).  The user stays, so that the URL shown
 * still says whose credentials are used.  Returns a malloc'ed string,
 * or NULL when out of memory (*password NULL too).
 */
char *url_without_password(const char *url, char **password);

/* 1 when absolute URLs a and b have the same scheme and authority (user
 * info, host and port; case ignored), else 0. */
int url_same_origin(const char *a, const char *b);

/*
 * url as one story's address, so that two links to one page compare
 * equal: scheme and host lower-cased, the scheme's default port and the
 * fragment dropped, an empty path made "/", and the query parameters that
 * only tell where a reader came from removed (utm_*, fbclid, gclid and
 * their kind; the others kept in their order).  Returns a malloc'ed
 * string, or NULL when url is not an absolute http(s) URL or out of
 * memory.
 */
char *url_canonical(const char *url);

#endif
