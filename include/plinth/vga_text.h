/*
 * VGA/EGA text mode: 16-bit cells (character, attribute) in video memory,
 * usually 80x25 at 0xB8000. Drawn through the same text terminal as the
 * framebuffer console (include/plinth/text_screen.h).
 */
#ifndef PLINTH_VGA_TEXT_H
#define PLINTH_VGA_TEXT_H

#include <plinth/text_screen.h>

#define VGA_TEXT_COLOUR_ADDR 0xB8000
#define VGA_TEXT_MONO_ADDR 0xB0000
#define VGA_TEXT_MIN_COLS 40
#define VGA_TEXT_MAX_COLS 132
#define VGA_TEXT_MIN_ROWS 25
#define VGA_TEXT_MAX_ROWS 60

struct vga_text {
	struct text_screen ts;
	uint16_t *mem;
	bool live;
};

/* Text mode with cols x rows cells at `mem`. -E_INVAL, with *why, for sizes no VGA has. */
int vga_text_init(struct vga_text *v, void *mem, uint32_t cols, uint32_t rows,
		  struct text_cell *cells, size_t max_cells, const char **why);
/* Start drawing: the whole grid is drawn once, then every change. */
void vga_text_go_live(struct vga_text *v);
void vga_text_write(struct vga_text *v, const char *s, size_t n);

/* What a PC BIOS left in its data area (physical 0x400..0x4FF) about the display. */
struct vga_bios_mode {
	uint64_t addr; /* text memory */
	uint16_t crtc_port;
	uint32_t cols, rows;
};

/*
 * Whether the BIOS data area `bda` (256 bytes from 0x400) says a PC BIOS left
 * the display in an 80-column-class text mode (modes 2, 3 or 7, with the
 * matching CRTC port and a sane size). A zeroed or random area (UEFI without
 * CSM) fails these checks.
 */
bool vga_bios_text_mode(const uint8_t *bda, struct vga_bios_mode *out);

#endif
