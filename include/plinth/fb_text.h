/*
 * Text on a linear RGB framebuffer (GOP, VBE, or any memory buffer in the
 * host tests): 8x16 character cells (the 8x8 font with every row drawn
 * twice), scaled up on screens too big for the cell grid. 15/16, 24 and 32
 * bits per pixel, any colour field positions, any pitch.
 */
#ifndef PLINTH_FB_TEXT_H
#define PLINTH_FB_TEXT_H

#include <plinth/boot_info.h>
#include <plinth/text_screen.h>

#define FB_CELL_WIDTH 8
#define FB_CELL_HEIGHT 16
#define FB_MIN_COLS 16
#define FB_MIN_ROWS 4
#define FB_MAX_SCALE 4

struct fb_text {
	struct text_screen ts;
	uint8_t *base;
	uint32_t pitch, width, height;
	unsigned bytes_pp;
	unsigned scale;     /* each font pixel is scale x scale (x 2 tall) screen pixels */
	uint32_t pixel[16]; /* the VGA colours in this framebuffer's pixel format */
	bool live;          /* false: only the grid is kept (video memory not reachable yet) */
};

/*
 * Set up text on the framebuffer `desc` describes, mapped at `base`, with a
 * grid of at most `max_cells` cells. Nothing is drawn until fb_text_go_live.
 * Returns 0, or -E_INVAL with *why saying what is wrong with the description
 * (not RGB, unsupported depth, too small, pitch too short, colour fields).
 */
int fb_text_init(struct fb_text *fb, const struct boot_framebuffer *desc, void *base,
		 struct text_cell *cells, size_t max_cells, const char **why);
/* Start drawing: the whole grid is drawn once, then every change. */
void fb_text_go_live(struct fb_text *fb);
void fb_text_write(struct fb_text *fb, const char *s, size_t n);

/* The pixel value of an 8-bit-per-channel colour in `desc`'s format. */
uint32_t fb_pixel_value(const struct boot_framebuffer *desc, uint32_t rgb);

#endif
