/*
 * entities.h - HTML5's named character references, for
 * text_entity_codepoint: feeds use them with no DTD to define them.
 */
#ifndef NW_ENTITIES_H
#define NW_ENTITIES_H

/* The code point of the HTML5 reference "&name;" (name without '&' and
 * ';', NUL-terminated), or -1 when HTML5 has none or it stands for two. */
long entities_codepoint(const char *name);

#endif
