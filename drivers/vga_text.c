/* VGA text mode cells, and reading the BIOS data area's idea of the display. */
#include <plinth/errno.h>
#include <plinth/string.h>
#include <plinth/vga_text.h>

/* Offsets in the BIOS data area (from 0x400). */
#define BDA_VIDEO_MODE 0x49
#define BDA_COLUMNS 0x4A
#define BDA_CRTC_PORT 0x63
#define BDA_ROWS_MINUS_1 0x84

static void draw_cell(struct text_screen *ts, uint32_t row, uint32_t col, struct text_cell cell)
{
	struct vga_text *v = container_of(ts, struct vga_text, ts);
	/* Video memory: one 16-bit store per cell, so a cell is never half-written. */
	volatile uint16_t *p = &v->mem[(size_t)row * ts->cols + col];

	if (v->live)
		*p = (uint16_t)(cell.ch | (cell.attr << 8));
}

int vga_text_init(struct vga_text *v, void *mem, uint32_t cols, uint32_t rows,
		  struct text_cell *cells, size_t max_cells, const char **why)
{
	*why = NULL;
	if (!mem)
		*why = "no address";
	else if (cols < VGA_TEXT_MIN_COLS || cols > VGA_TEXT_MAX_COLS ||
		 rows < VGA_TEXT_MIN_ROWS || rows > VGA_TEXT_MAX_ROWS)
		*why = "not a text mode size (40..132 columns, 25..60 rows)";
	else if ((size_t)cols * rows > max_cells)
		*why = "more character cells than the grid holds";
	if (*why)
		return -E_INVAL;
	v->mem = mem;
	v->live = false;
	text_screen_init(&v->ts, cells, cols, rows, draw_cell);
	return 0;
}

void vga_text_go_live(struct vga_text *v)
{
	v->live = true;
	text_screen_redraw(&v->ts);
}

void vga_text_write(struct vga_text *v, const char *s, size_t n)
{
	text_screen_write(&v->ts, s, n);
}

bool vga_bios_text_mode(const uint8_t *bda, struct vga_bios_mode *out)
{
	uint8_t mode = bda[BDA_VIDEO_MODE];
	uint16_t cols, port;
	uint32_t rows = (uint32_t)bda[BDA_ROWS_MINUS_1] + 1;

	memcpy(&cols, bda + BDA_COLUMNS, sizeof(cols));
	memcpy(&port, bda + BDA_CRTC_PORT, sizeof(port));
	if (rows == 1)
		rows = 25; /* CGA/MDA BIOSes leave the EGA rows byte at 0 */
	if (mode == 2 || mode == 3) {
		out->addr = VGA_TEXT_COLOUR_ADDR;
		if (port != 0x3D4)
			return false;
	} else if (mode == 7) {
		out->addr = VGA_TEXT_MONO_ADDR;
		if (port != 0x3B4)
			return false;
	} else {
		return false; /* graphics, 40-column, or nothing a BIOS wrote */
	}
	if (cols < 80 || cols > VGA_TEXT_MAX_COLS || rows < VGA_TEXT_MIN_ROWS ||
	    rows > VGA_TEXT_MAX_ROWS)
		return false;
	out->crtc_port = port;
	out->cols = cols;
	out->rows = rows;
	return true;
}
