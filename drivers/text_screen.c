/*
 * Text terminal over a shadow cell grid (include/plinth/text_screen.h). The
 * log writes "\n"-terminated lines, so "\n" also returns the carriage, like a
 * serial terminal in cooked mode. Wrapping is deferred (as on a VT100): a line
 * exactly as wide as the screen does not leave an empty line behind it.
 */
#include <plinth/string.h>
#include <plinth/text_screen.h>

#define ESC 0x1B
#define BEL 0x07

static const struct text_cell blank_cell = { ' ', TEXT_DEFAULT_ATTR };

static inline struct text_cell *cell_at(struct text_screen *ts, uint32_t row, uint32_t col)
{
	return &ts->cells[(size_t)row * ts->cols + col];
}

static inline bool same_cell(struct text_cell a, struct text_cell b)
{
	return a.ch == b.ch && a.attr == b.attr;
}

static void put_cell(struct text_screen *ts, uint32_t row, uint32_t col, struct text_cell c)
{
	struct text_cell *old = cell_at(ts, row, col);

	if (same_cell(*old, c))
		return;
	*old = c;
	ts->draw(ts, row, col, c);
}

void text_screen_init(struct text_screen *ts, struct text_cell *cells, uint32_t cols,
		      uint32_t rows,
		      void (*draw)(struct text_screen *, uint32_t, uint32_t, struct text_cell))
{
	memset(ts, 0, sizeof(*ts));
	ts->cells = cells;
	ts->cols = cols;
	ts->rows = rows;
	ts->draw = draw;
	ts->scroll_step = MAX(rows / TEXT_SCROLL_FRACTION, 1u);
	ts->attr = TEXT_DEFAULT_ATTR;
	for (size_t i = 0; i < (size_t)cols * rows; i++)
		cells[i] = blank_cell;
}

void text_screen_redraw(struct text_screen *ts)
{
	for (uint32_t r = 0; r < ts->rows; r++)
		for (uint32_t c = 0; c < ts->cols; c++)
			ts->draw(ts, r, c, *cell_at(ts, r, c));
}

void text_screen_clear(struct text_screen *ts)
{
	for (size_t i = 0; i < (size_t)ts->cols * ts->rows; i++)
		ts->cells[i] = blank_cell;
	text_screen_redraw(ts);
	ts->row = ts->col = 0;
	ts->wrap_pending = false;
}

/*
 * Move every line up by n and blank the last n. Each cell is compared with
 * the one it is replaced by and only redrawn when they differ: log lines
 * share much of their blank right-hand side, and video memory is never read.
 */
static void scroll_up(struct text_screen *ts, uint32_t n)
{
	for (uint32_t r = 0; r + n < ts->rows; r++)
		for (uint32_t c = 0; c < ts->cols; c++)
			put_cell(ts, r, c, *cell_at(ts, r + n, c));
	for (uint32_t r = ts->rows - n; r < ts->rows; r++)
		for (uint32_t c = 0; c < ts->cols; c++)
			put_cell(ts, r, c, blank_cell);
}

static void new_line(struct text_screen *ts)
{
	ts->col = 0;
	ts->wrap_pending = false;
	if (ts->row + 1 < ts->rows) {
		ts->row++;
	} else {
		scroll_up(ts, ts->scroll_step);
		ts->row = ts->rows - ts->scroll_step;
	}
}

static void put_char(struct text_screen *ts, uint8_t ch)
{
	if (ts->wrap_pending)
		new_line(ts);
	put_cell(ts, ts->row, ts->col, (struct text_cell){ ch, ts->attr });
	if (ts->col + 1 < ts->cols)
		ts->col++;
	else
		ts->wrap_pending = true;
}

/* SGR: 0 reset, 1 bright, 22 normal, 30-37/90-97 foreground, 40-47/100-107 background, 39/49 default. */
static void apply_sgr(struct text_screen *ts)
{
	/* ANSI colour order (red = 1) differs from VGA's (blue = 1). */
	static const uint8_t ansi_to_vga[8] = {
		TEXT_BLACK, TEXT_RED, TEXT_GREEN, TEXT_BROWN,
		TEXT_BLUE, TEXT_MAGENTA, TEXT_CYAN, TEXT_LIGHT_GREY,
	};
	unsigned fg = ts->attr & 0x0F, bg = ts->attr >> 4;

	if (ts->nparams == 0)
		ts->params[ts->nparams++] = 0; /* ESC[m means ESC[0m */
	for (unsigned i = 0; i < ts->nparams; i++) {
		unsigned p = ts->params[i];

		if (p == 0) {
			fg = TEXT_DEFAULT_ATTR & 0x0F;
			bg = TEXT_DEFAULT_ATTR >> 4;
		} else if (p == 1) {
			fg |= 8;
		} else if (p == 22) {
			fg &= 7;
		} else if (p >= 30 && p <= 37) {
			fg = (fg & 8) | ansi_to_vga[p - 30];
		} else if (p == 39) {
			fg = TEXT_DEFAULT_ATTR & 0x0F;
		} else if (p >= 40 && p <= 47) {
			bg = ansi_to_vga[p - 40];
		} else if (p == 49) {
			bg = TEXT_DEFAULT_ATTR >> 4;
		} else if (p >= 90 && p <= 97) {
			fg = ansi_to_vga[p - 90] | 8;
		} else if (p >= 100 && p <= 107) {
			bg = ansi_to_vga[p - 100] | 8;
		}
	}
	ts->attr = TEXT_ATTR(fg, bg);
}

/*
 * ESC [ K (or 0 K): erase from the cursor to the end of the line; 1 K: from
 * the start of the line to the cursor; 2 K: the whole line. The cursor stays
 * (the management console writes "\r ESC [ K" to redraw its prompt line).
 */
static void erase_in_line(struct text_screen *ts)
{
	unsigned mode = ts->nparams ? ts->params[0] : 0;
	uint32_t from = mode == 0 ? ts->col : 0;
	uint32_t to = mode == 1 ? ts->col + 1 : ts->cols;

	if (mode > 2)
		return;
	for (uint32_t c = from; c < to; c++)
		put_cell(ts, ts->row, c, blank_cell);
	ts->wrap_pending = false;
}

/* One byte of an escape sequence; returns to ESC_NONE when it ends. */
static void escape_byte(struct text_screen *ts, uint8_t b)
{
	switch (ts->esc) {
	case ESC_START:
		ts->nparams = 0;
		ts->params[0] = 0;
		ts->csi_marked = false;
		if (b == '[')
			ts->esc = ESC_CSI;
		else if (b == ']' || b == 'P' || b == '_' || b == '^')
			ts->esc = ESC_STRING;
		else if (b == '(' || b == ')' || b == '#' || b == '%')
			ts->esc = ESC_SKIP1;
		else
			ts->esc = ESC_NONE; /* two-byte sequence (ESC c, ESC 7, ...) */
		return;
	case ESC_CSI:
		if (b >= '0' && b <= '9') {
			if (ts->nparams == 0)
				ts->nparams = 1;
			unsigned *p = &ts->params[ts->nparams - 1];
			if (*p < 10000) /* huge numbers mean nothing: stop growing */
				*p = *p * 10 + (unsigned)(b - '0');
		} else if (b == ';') {
			if (ts->nparams == 0)
				ts->nparams = 1;
			if (ts->nparams < TEXT_MAX_PARAMS)
				ts->params[ts->nparams++] = 0;
		} else if (b >= 0x40 && b <= 0x7E) { /* final byte */
			if (b == 'm' && !ts->csi_marked)
				apply_sgr(ts);
			else if (b == 'K' && !ts->csi_marked)
				erase_in_line(ts);
			ts->esc = ESC_NONE;
		} else if (b < 0x20 || b > 0x7E) {
			ts->esc = ESC_NONE; /* malformed: give up on it */
		} else {
			ts->csi_marked = true; /* ? < = > or an intermediate (space ! \" ...): skipped */
		}
		return;
	case ESC_STRING:
		if (b == BEL)
			ts->esc = ESC_NONE;
		else if (b == ESC)
			ts->esc = ESC_SKIP1; /* ESC \ ends it */
		return;
	case ESC_SKIP1:
		ts->esc = ESC_NONE;
		return;
	case ESC_NONE:
		break;
	}
}

static void text_byte(struct text_screen *ts, uint8_t b)
{
	if (b >= 0x80) {
		/* One box per UTF-8 character, not per byte; 0xF8.. never start one. */
		if (b >= 0xC0 || ts->utf8_left == 0)
			put_char(ts, b);
		ts->utf8_left = b >= 0xF8 ? 0 : b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 :
				ts->utf8_left ? ts->utf8_left - 1 : 0;
		return;
	}
	ts->utf8_left = 0;
	switch (b) {
	case '\n':
		new_line(ts);
		return;
	case '\r':
		ts->col = 0;
		ts->wrap_pending = false;
		return;
	case '\t': /* to the next tab stop; at the right edge a tab does not wrap */
		while (!ts->wrap_pending) {
			put_char(ts, ' ');
			if (ts->col % TEXT_TAB == 0)
				break;
		}
		return;
	case '\b':
		if (ts->wrap_pending)
			ts->wrap_pending = false;
		else if (ts->col > 0)
			ts->col--;
		return;
	case ESC:
		ts->esc = ESC_START;
		return;
	default:
		break;
	}
	if (b < 0x20 || b == 0x7F)
		return; /* BEL, form feed and the like have no picture */
	put_char(ts, b);
}

void text_screen_write(struct text_screen *ts, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)s[i];

		if (ts->esc != ESC_NONE && b != 0x18 && b != 0x1A)
			escape_byte(ts, b);
		else if (ts->esc != ESC_NONE)
			ts->esc = ESC_NONE; /* CAN / SUB cancel a sequence */
		else
			text_byte(ts, b);
	}
}
