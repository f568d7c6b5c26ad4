/*
 * Drawing character cells on a linear RGB framebuffer. Pixels are only ever
 * written, never read: video memory is mapped write-combining, where reads are
 * slow, and scrolling is done by redrawing from the shadow grid.
 */
#include <plinth/errno.h>
#include <plinth/fb_text.h>
#include <plinth/font.h>

/* The 16 VGA text colours, 0xRRGGBB. */
static const uint32_t vga_rgb[16] = {
	0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
	0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

static uint32_t channel(uint32_t value8, uint8_t pos, uint8_t size)
{
	return (value8 >> (8 - size)) << pos;
}

uint32_t fb_pixel_value(const struct boot_framebuffer *d, uint32_t rgb)
{
	return channel((rgb >> 16) & 0xFF, d->red_pos, d->red_size) |
	       channel((rgb >> 8) & 0xFF, d->green_pos, d->green_size) |
	       channel(rgb & 0xFF, d->blue_pos, d->blue_size);
}

static bool field_ok(uint8_t pos, uint8_t size, uint8_t bpp)
{
	return size >= 1 && size <= 8 && pos + size <= bpp;
}

static const char *check_desc(const struct boot_framebuffer *d)
{
	if (d->type != FB_TYPE_RGB)
		return "not a direct-colour (RGB) framebuffer";
	if (d->bpp != 15 && d->bpp != 16 && d->bpp != 24 && d->bpp != 32)
		return "unsupported bits per pixel (15, 16, 24 or 32 are drawn)";
	if (d->width < FB_CELL_WIDTH * FB_MIN_COLS || d->height < FB_CELL_HEIGHT * FB_MIN_ROWS)
		return "too small for 16x4 characters";
	if (d->pitch < (uint64_t)d->width * ((d->bpp + 7u) / 8))
		return "pitch shorter than a row of pixels";
	if (!field_ok(d->red_pos, d->red_size, d->bpp) ||
	    !field_ok(d->green_pos, d->green_size, d->bpp) ||
	    !field_ok(d->blue_pos, d->blue_size, d->bpp))
		return "colour field positions or sizes outside the pixel";
	return NULL;
}

static inline void store_pixel(uint8_t *p, unsigned bytes_pp, uint32_t v)
{
	switch (bytes_pp) {
	case 4:
		__builtin_memcpy(p, &v, 4);
		break;
	case 3:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		break;
	default: {
		uint16_t v16 = (uint16_t)v;
		__builtin_memcpy(p, &v16, 2);
		break;
	}
	}
}

/*
 * One cell's pixels, with the pixel size a constant in each copy (the
 * callers below), so the inner loop is a plain store per pixel.
 */
static inline __attribute__((always_inline)) void
draw_glyph(const struct fb_text *fb, uint8_t *line, const uint8_t *glyph, uint32_t fg,
	   uint32_t bg, unsigned bytes_pp)
{
	unsigned s = fb->scale;

	/* Each font row fills 2 * scale pixel rows, each font column scale pixels. */
	for (unsigned fy = 0; fy < FONT_HEIGHT; fy++) {
		for (unsigned k = 0; k < 2 * s; k++, line += fb->pitch) {
			uint8_t *p = line;

			for (unsigned fx = 0; fx < FONT_WIDTH; fx++) {
				uint32_t v = (glyph[fy] & (0x80u >> fx)) ? fg : bg;

				for (unsigned i = 0; i < s; i++, p += bytes_pp)
					store_pixel(p, bytes_pp, v);
			}
		}
	}
}

static void draw_cell(struct text_screen *ts, uint32_t row, uint32_t col, struct text_cell cell)
{
	struct fb_text *fb = container_of(ts, struct fb_text, ts);
	const uint8_t *glyph = font_glyph(cell.ch);
	uint32_t fg = fb->pixel[cell.attr & 0x0F], bg = fb->pixel[cell.attr >> 4];
	size_t cell_w = FB_CELL_WIDTH * fb->scale, cell_h = FB_CELL_HEIGHT * fb->scale;
	uint8_t *line = fb->base + row * cell_h * fb->pitch + col * cell_w * fb->bytes_pp;

	if (!fb->live)
		return;
	switch (fb->bytes_pp) {
	case 4:
		draw_glyph(fb, line, glyph, fg, bg, 4);
		break;
	case 3:
		draw_glyph(fb, line, glyph, fg, bg, 3);
		break;
	default:
		draw_glyph(fb, line, glyph, fg, bg, 2);
		break;
	}
}

int fb_text_init(struct fb_text *fb, const struct boot_framebuffer *desc, void *base,
		 struct text_cell *cells, size_t max_cells, const char **why)
{
	uint32_t cols, rows;
	unsigned scale = 1;

	*why = check_desc(desc);
	if (!*why && !base)
		*why = "no address";
	if (*why)
		return -E_INVAL;
	/* Big screens get bigger letters rather than more cells than the grid holds. */
	for (;;) {
		cols = desc->width / (FB_CELL_WIDTH * scale);
		rows = desc->height / (FB_CELL_HEIGHT * scale);
		if ((size_t)cols * rows <= max_cells)
			break;
		if (++scale > FB_MAX_SCALE) {
			*why = "too many character cells even with 4x4 pixels per font pixel";
			return -E_INVAL;
		}
	}
	if (cols < FB_MIN_COLS || rows < FB_MIN_ROWS) {
		*why = "too few character cells";
		return -E_INVAL;
	}
	fb->base = base;
	fb->pitch = desc->pitch;
	fb->width = desc->width;
	fb->height = desc->height;
	fb->bytes_pp = (desc->bpp + 7u) / 8;
	fb->scale = scale;
	fb->live = false;
	for (unsigned i = 0; i < 16; i++)
		fb->pixel[i] = fb_pixel_value(desc, vga_rgb[i]);
	text_screen_init(&fb->ts, cells, cols, rows, draw_cell);
	return 0;
}

/* Paint the whole screen black first: the margins right of and below the grid too. */
void fb_text_go_live(struct fb_text *fb)
{
	uint8_t *line = fb->base;

	for (uint32_t y = 0; y < fb->height; y++, line += fb->pitch)
		for (uint32_t x = 0; x < fb->width; x++)
			store_pixel(line + (size_t)x * fb->bytes_pp, fb->bytes_pp,
				    fb->pixel[TEXT_DEFAULT_ATTR >> 4]);
	fb->live = true;
	text_screen_redraw(&fb->ts);
}

void fb_text_write(struct fb_text *fb, const char *s, size_t n)
{
	text_screen_write(&fb->ts, s, n);
}
