/*
 * article_text.h - what the body extractor's three files share and nobody
 * else sees: the statistics of a subtree and the judgements made from
 * them (article_text.c), the list of nodes to unlink after a walk, and
 * the two cleaning passes (article_clean.c) that article_body.c runs
 * around its choice.
 */
#ifndef NW_ARTICLE_TEXT_H
#define NW_ARTICLE_TEXT_H

#include <stddef.h>

#include <libxml/tree.h>

#define ART_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A paragraph shorter than this (in characters) says nothing about where
 * the article is. */
#define MIN_PARA_LEN	25

/* A box of list items is a menu or link list from this link density on;
 * below it, ingredients, steps or facts of the story. */
#define LIST_LINK_DENSITY	0.2

/* The longest class+id string we look at. */
#define CLASS_MAX	256

/* What a subtree holds, for scoring and cleaning. */
struct art_stats {
	size_t	len;		/* characters of visible text, runs of
				 * white space counted once */
	size_t	link_len;	/* of which inside links */
	size_t	commas;
	size_t	p, img, li, input, embed, h;
	int	sp;		/* internal: last character was a space */
};

/* Nodes to unlink once a walk is over (walks must not unlink). */
struct art_nodes {
	xmlNode	**v;
	size_t	  n, cap;
	int	  oom;
};

/* 1 when n is an element named one of names (case-insensitive). */
int	 art_is_one_of(const xmlNode *n, const char *const *names,
	    size_t nnames);
/* 1 when n flows within a paragraph (every other element ends one). */
int	 art_is_inline(const xmlNode *n);

/* 1 when a child of n is a block element: then n is a box, not a
 * paragraph or a line. */
int	 art_has_block_child(const xmlNode *n);
/* 1 when n is <h1> to <h6>. */
int	 art_is_heading(const xmlNode *n);
/* The text of a text or CDATA node, else NULL. */
const char *art_text_of(const xmlNode *n);

/* Add text t to st (in_link: it sits inside a link). */
void	 art_stats_text(struct art_stats *st, const char *t, int in_link);
/* The statistics of n and its visible descendants. */
void	 art_stats_of(xmlNode *n, struct art_stats *st);
/* The share of st's text inside links, 0 to 1. */
double	 art_link_density(const struct art_stats *st);
/* 1 when a subtree reads like an article whatever its class says. */
int	 art_is_prose(const struct art_stats *st);

/* class and id of n, lower case, space-separated, into buf. */
const char *art_class_id(const xmlNode *n, char *buf, size_t buflen);
/* 1 when one of words is a substring of s. */
int	 art_has_substring(const char *s, const char *const *words,
	    size_t nwords);
/* Readability's weight of n's class and id: -50 to +50. */
int	 art_class_weight(const xmlNode *n);
/* 1 when n says it is the article's body (itemprop=articleBody). */
int	 art_is_marked_body(const xmlNode *n);

/* Add n to the list (on allocation failure, l->oom is set and the list
 * stays as it was). */
void	 art_nodes_add(struct art_nodes *l, xmlNode *n);
/* Unlink and free every node of the list, and empty it. */
void	 art_nodes_unlink(struct art_nodes *l);

/* Unlink from body what is never article text; relaxed leaves the class
 * and id rules out. */
void	 art_drop_junk(xmlNode *body, int relaxed);
/* Add to drop what chosen node n holds that is no text: its title, and
 * unless relaxed, link lists, forms, galleries and empty boxes (n itself
 * too when it is one). */
void	 art_prune(xmlNode *n, int relaxed, struct art_nodes *drop);

#endif
