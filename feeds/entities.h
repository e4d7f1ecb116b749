/*
 * entities.h - HTML5's named character references beyond HTML 4's (which
 * text.c keeps), for text_entity_codepoint.
 */
#ifndef NW_ENTITIES_H
#define NW_ENTITIES_H

/* The code point of the HTML5 reference "&name;" (name without '&' and
 * ';', NUL-terminated) that HTML 4 did not define, or -1. */
long entities_html5(const char *name);

#endif
