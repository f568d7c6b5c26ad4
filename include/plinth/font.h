/*
 * Plinth's console font (drivers/font/plinth8x8.txt, turned into C by
 * tools/mkfont.py at build time): 8x8 glyphs for printable ASCII and a box
 * for every other byte. Row bytes, bit 7 the leftmost pixel.
 */
#ifndef PLINTH_FONT_H
#define PLINTH_FONT_H

#include <plinth/types.h>

#define FONT_WIDTH 8
#define FONT_HEIGHT 8
#define FONT_FIRST 0x20
#define FONT_LAST 0x7E
#define FONT_BOX (FONT_LAST - FONT_FIRST + 1) /* index of the box glyph */
#define FONT_GLYPHS (FONT_BOX + 1)

extern const uint8_t font_glyphs[FONT_GLYPHS][FONT_HEIGHT];

static inline const uint8_t *font_glyph(uint8_t c)
{
	if (c < FONT_FIRST || c > FONT_LAST)
		return font_glyphs[FONT_BOX];
	return font_glyphs[c - FONT_FIRST];
}

#endif
