/*
 * A text terminal over a grid of character cells, shared by the framebuffer
 * and VGA text screen consoles: cursor, line wrap, scrolling, CR/LF/tab/
 * backspace, and ANSI escape sequences (colours from SGR are kept, ESC [ K
 * erases in the line, every other sequence is skipped rather than drawn).
 * The grid is a shadow copy of what is on the screen: scrolling redraws only the cells that change, and
 * never reads the (slow, write-combining) video memory back. Still, a scroll
 * rewrites most of the screen, so at the bottom it jumps by a quarter of
 * the rows at once (with the glyph loop made tight, 0.75 ms per log line at
 * 1024x768x32 became 0.026 ms on the host; VGA text under QEMU pays for
 * every cell written).
 */
#ifndef PLINTH_TEXT_SCREEN_H
#define PLINTH_TEXT_SCREEN_H

#include <plinth/types.h>

/* VGA colour numbers (0..15), used by both back ends. */
enum text_colour {
	TEXT_BLACK, TEXT_BLUE, TEXT_GREEN, TEXT_CYAN, TEXT_RED, TEXT_MAGENTA,
	TEXT_BROWN, TEXT_LIGHT_GREY, TEXT_DARK_GREY, TEXT_LIGHT_BLUE,
	TEXT_LIGHT_GREEN, TEXT_LIGHT_CYAN, TEXT_LIGHT_RED, TEXT_LIGHT_MAGENTA,
	TEXT_YELLOW, TEXT_WHITE,
};
#define TEXT_ATTR(fg, bg) ((uint8_t)((fg) | ((bg) << 4)))
#define TEXT_DEFAULT_ATTR TEXT_ATTR(TEXT_LIGHT_GREY, TEXT_BLACK)
#define TEXT_TAB 8
#define TEXT_SCROLL_FRACTION 4 /* scroll by a quarter of the rows at a time */
#define TEXT_MAX_PARAMS 8

/* One character cell: the byte as written (drawn as a box when not ASCII) and its colours. */
struct text_cell {
	uint8_t ch;
	uint8_t attr; /* VGA layout: foreground bits 0-3, background bits 4-7 */
};

enum text_escape {
	ESC_NONE,   /* ordinary text */
	ESC_START,  /* after ESC */
	ESC_CSI,    /* ESC [ parameters... final byte */
	ESC_STRING, /* ESC ] ... (OSC, ended by BEL or ESC \) */
	ESC_SKIP1,  /* ESC ( x and friends: one more byte to skip */
};

struct text_screen {
	uint32_t cols, rows;
	uint32_t col, row;
	bool wrap_pending; /* the last column was written: wrap before the next character */
	uint32_t scroll_step; /* lines to scroll at once at the bottom: rows / TEXT_SCROLL_FRACTION */
	uint8_t attr;
	struct text_cell *cells; /* rows * cols, row-major */
	/* Put one cell on the real screen (the grid already holds it). */
	void (*draw)(struct text_screen *ts, uint32_t row, uint32_t col, struct text_cell cell);

	enum text_escape esc;
	unsigned nparams;
	unsigned params[TEXT_MAX_PARAMS];
	bool csi_marked; /* a private marker (? < = >) or intermediate byte: a sequence only skipped */
	unsigned utf8_left; /* continuation bytes still expected: they draw no box of their own */
};

/* Start with a blank grid (not drawn: call text_screen_redraw for that). */
void text_screen_init(struct text_screen *ts, struct text_cell *cells, uint32_t cols,
		      uint32_t rows,
		      void (*draw)(struct text_screen *, uint32_t, uint32_t, struct text_cell));
void text_screen_write(struct text_screen *ts, const char *s, size_t n);
/* Draw every cell, e.g. once the video memory became reachable. */
void text_screen_redraw(struct text_screen *ts);
/* Blank the grid and draw it; the cursor goes to the top left corner. */
void text_screen_clear(struct text_screen *ts);

#endif
