/*
 * Screen console rendering (drivers/text_screen.c, fb_text.c) into ordinary
 * memory: glyph pixels and colours for every depth, pitch, scrolling,
 * wrapping, escapes, and descriptions that must be refused. The VGA text
 * back end is test_vga_text.c.
 */
#include "host_shim.h"

#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/fb_text.h>
#include <plinth/font.h>

#define CANARY 0x5A
#define GREY 0xAAAAAAu
#define LIGHT_RED 0xFF5555u

static struct text_cell cells[256 * 128];

struct screen {
	struct fb_text fb;
	struct boot_framebuffer d;
	uint8_t *mem;
	size_t size;
};

/* A w x h framebuffer with `pitch` bytes per row, standard RGB field layout for its depth. */
static void make_fb(struct screen *s, uint32_t w, uint32_t h, uint8_t bpp, uint32_t pitch)
{
	memset(s, 0, sizeof(*s));
	s->d = (struct boot_framebuffer){ .addr = 0, .pitch = pitch, .width = w, .height = h,
					  .bpp = bpp, .type = FB_TYPE_RGB };
	if (bpp == 16) {
		s->d.red_pos = 11, s->d.red_size = 5, s->d.green_pos = 5, s->d.green_size = 6;
		s->d.blue_pos = 0, s->d.blue_size = 5;
	} else if (bpp == 15) {
		s->d.red_pos = 10, s->d.red_size = 5, s->d.green_pos = 5, s->d.green_size = 5;
		s->d.blue_pos = 0, s->d.blue_size = 5;
	} else {
		s->d.red_pos = 16, s->d.red_size = 8, s->d.green_pos = 8, s->d.green_size = 8;
		s->d.blue_pos = 0, s->d.blue_size = 8;
	}
	s->size = (size_t)pitch * h;
	s->mem = malloc(s->size);
	assert_non_null(s->mem);
	memset(s->mem, CANARY, s->size);
}

static void start(struct screen *s)
{
	const char *why = "unset";

	assert_int_equal(fb_text_init(&s->fb, &s->d, s->mem, cells, ARRAY_SIZE(cells), &why), 0);
	assert_null(why);
	fb_text_go_live(&s->fb);
}

static void put(struct screen *s, const char *text)
{
	fb_text_write(&s->fb, text, strlen(text));
}

static uint32_t pixel_at(const struct screen *s, uint32_t x, uint32_t y)
{
	unsigned bytes = (s->d.bpp + 7u) / 8;
	const uint8_t *p = s->mem + (size_t)y * s->d.pitch + (size_t)x * bytes;
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static bool font_bit(uint8_t ch, unsigned row, unsigned col)
{
	return font_glyph(ch)[row] & (0x80u >> col);
}

/* Cell (row, col) shows `ch` in fg on bg, pixel by pixel (scale 1). */
static void assert_cell_pixels(const struct screen *s, uint32_t row, uint32_t col, uint8_t ch,
			       uint32_t fg_rgb, uint32_t bg_rgb)
{
	uint32_t fg = fb_pixel_value(&s->d, fg_rgb), bg = fb_pixel_value(&s->d, bg_rgb);

	for (unsigned y = 0; y < FB_CELL_HEIGHT; y++)
		for (unsigned x = 0; x < FB_CELL_WIDTH; x++) {
			uint32_t want = font_bit(ch, y / 2, x) ? fg : bg;
			uint32_t got = pixel_at(s, col * FB_CELL_WIDTH + x, row * FB_CELL_HEIGHT + y);
			if (got != want)
				fail_msg("cell %u,%u '%c' pixel %u,%u: %#x, expected %#x", row, col, ch,
					 x, y, got, want);
		}
}

static char cell_char(const struct screen *s, uint32_t row, uint32_t col)
{
	return (char)s->fb.ts.cells[row * s->fb.ts.cols + col].ch;
}

/* The text of a grid row, trailing blanks cut. */
static const char *row_text(const struct screen *s, uint32_t row)
{
	static char buf[300];
	uint32_t n = s->fb.ts.cols;

	for (uint32_t c = 0; c < n; c++)
		buf[c] = cell_char(s, row, c);
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return buf;
}

static void test_glyph_pixels_each_depth(void **state)
{
	(void)state;
	static const uint8_t depths[] = { 32, 24, 16, 15 };

	for (unsigned i = 0; i < ARRAY_SIZE(depths); i++) {
		struct screen s;
		unsigned bytes = (depths[i] + 7u) / 8;

		make_fb(&s, 160, 80, depths[i], 160 * bytes);
		start(&s);
		put(&s, "Ag");
		assert_cell_pixels(&s, 0, 0, 'A', GREY, 0);
		assert_cell_pixels(&s, 0, 1, 'g', GREY, 0);
		assert_cell_pixels(&s, 0, 2, ' ', GREY, 0);
		/* 'A' row 0 is "..###...": independent of the table lookup above */
		assert_int_equal(pixel_at(&s, 1, 0), 0);
		assert_int_equal(pixel_at(&s, 2, 0), fb_pixel_value(&s.d, GREY));
		assert_int_equal(pixel_at(&s, 2, 1), fb_pixel_value(&s.d, GREY)); /* row drawn twice */
		free(s.mem);
	}
}

static void test_pixel_values(void **state)
{
	(void)state;
	struct screen s;

	make_fb(&s, 128, 64, 32, 512);
	assert_int_equal(fb_pixel_value(&s.d, GREY), 0xAAAAAA);
	assert_int_equal(fb_pixel_value(&s.d, LIGHT_RED), 0xFF5555);
	s.d.red_pos = 0, s.d.blue_pos = 16; /* BGR order */
	assert_int_equal(fb_pixel_value(&s.d, LIGHT_RED), 0x5555FF);
	free(s.mem);
	make_fb(&s, 128, 64, 16, 256);
	assert_int_equal(fb_pixel_value(&s.d, GREY), (21u << 11) | (42u << 5) | 21u);
	assert_int_equal(fb_pixel_value(&s.d, 0xFFFFFF), 0xFFFF);
	free(s.mem);
	make_fb(&s, 128, 64, 15, 256);
	assert_int_equal(fb_pixel_value(&s.d, 0xFFFFFF), 0x7FFF);
	free(s.mem);
}

/* Bytes between width * bytes-per-pixel and the pitch belong to nobody: never touched. */
static void test_pitch_padding_untouched(void **state)
{
	(void)state;
	static const uint8_t depths[] = { 32, 24, 16 };

	for (unsigned i = 0; i < ARRAY_SIZE(depths); i++) {
		struct screen s;
		unsigned bytes = (depths[i] + 7u) / 8;
		uint32_t w = 131, pitch = w * bytes + 13;

		make_fb(&s, w, 70, depths[i], pitch);
		start(&s);
		put(&s, "0123456789abcdefXYZ\n1\n2\n3");
		for (uint32_t y = 0; y < 70; y++)
			for (uint32_t b = w * bytes; b < pitch; b++)
				assert_int_equal(s.mem[(size_t)y * pitch + b], CANARY);
		/* the margin right of the 16 columns and below the 4 rows is painted black */
		assert_int_equal(pixel_at(&s, 130, 0), 0);
		assert_int_equal(pixel_at(&s, 0, 69), 0);
		assert_cell_pixels(&s, 0, 0, 'X', GREY, 0); /* wrapped, then scrolled to the top */
		free(s.mem);
	}
}

static void test_nothing_drawn_before_live(void **state)
{
	(void)state;
	struct screen s;
	const char *why;

	make_fb(&s, 128, 64, 32, 512);
	assert_int_equal(fb_text_init(&s.fb, &s.d, s.mem, cells, ARRAY_SIZE(cells), &why), 0);
	put(&s, "early line\n");
	for (size_t i = 0; i < s.size; i++)
		assert_int_equal(s.mem[i], CANARY);
	fb_text_go_live(&s.fb); /* the kept text appears */
	assert_cell_pixels(&s, 0, 0, 'e', GREY, 0);
	assert_cell_pixels(&s, 0, 6, 'l', GREY, 0);
	free(s.mem);
}

static void test_scroll_moves_rows_and_clears_last(void **state)
{
	(void)state;
	struct screen s;

	make_fb(&s, 128, 64, 32, 512); /* 16 x 4 cells */
	start(&s);
	assert_int_equal(s.fb.ts.cols, 16);
	assert_int_equal(s.fb.ts.rows, 4);
	put(&s, "one\ntwo\nthree\nfour");
	assert_string_equal(row_text(&s, 3), "four");
	put(&s, "\n");
	assert_string_equal(row_text(&s, 0), "two");
	assert_string_equal(row_text(&s, 1), "three");
	assert_string_equal(row_text(&s, 2), "four");
	assert_string_equal(row_text(&s, 3), "");
	assert_cell_pixels(&s, 0, 0, 't', GREY, 0);
	assert_cell_pixels(&s, 0, 2, 'o', GREY, 0);
	assert_cell_pixels(&s, 1, 4, 'e', GREY, 0);
	assert_cell_pixels(&s, 2, 3, 'r', GREY, 0);
	for (unsigned c = 0; c < 16; c++)
		assert_cell_pixels(&s, 3, c, ' ', GREY, 0);
	put(&s, "five");
	assert_string_equal(row_text(&s, 3), "five");
	assert_cell_pixels(&s, 3, 0, 'f', GREY, 0);
	free(s.mem);
}

/* Bigger screens jump a quarter of their rows at once: 8 rows scroll by 2. */
static void test_jump_scroll(void **state)
{
	(void)state;
	struct screen s;

	make_fb(&s, 128, 128, 32, 512);
	start(&s);
	assert_int_equal(s.fb.ts.rows, 8);
	assert_int_equal(s.fb.ts.scroll_step, 2);
	put(&s, "1\n2\n3\n4\n5\n6\n7\n8\n9");
	assert_string_equal(row_text(&s, 0), "3");
	assert_string_equal(row_text(&s, 5), "8");
	assert_string_equal(row_text(&s, 6), "9");
	assert_string_equal(row_text(&s, 7), "");
	assert_cell_pixels(&s, 0, 0, '3', GREY, 0);
	assert_cell_pixels(&s, 6, 0, '9', GREY, 0);
	assert_cell_pixels(&s, 7, 0, ' ', GREY, 0);
	put(&s, "\n10");
	assert_string_equal(row_text(&s, 7), "10");
	free(s.mem);
}

static void test_wrap_and_controls(void **state)
{
	(void)state;
	struct screen s;

	make_fb(&s, 128, 64, 32, 512);
	start(&s);
	put(&s, "0123456789abcdef"); /* exactly one line: the wrap waits */
	assert_int_equal(s.fb.ts.row, 0);
	put(&s, "\nnext");
	assert_string_equal(row_text(&s, 0), "0123456789abcdef");
	assert_string_equal(row_text(&s, 1), "next");
	put(&s, "\n0123456789abcdefWRAP");
	assert_string_equal(row_text(&s, 2), "0123456789abcdef");
	assert_string_equal(row_text(&s, 3), "WRAP");
	free(s.mem);

	make_fb(&s, 128, 64, 32, 512);
	start(&s);
	put(&s, "a\tb\rc\bX\bY\x07\x01");
	assert_string_equal(row_text(&s, 0), "Y       b");
	put(&s, "\n123456789abcde\t\tz");
	assert_string_equal(row_text(&s, 1), "123456789abcde");
	assert_string_equal(row_text(&s, 2), "z");
	free(s.mem);
}

static void test_escapes_skipped_colours_kept(void **state)
{
	(void)state;
	struct screen s;
	const struct text_cell *c;

	make_fb(&s, 128, 64, 32, 512);
	start(&s);
	put(&s, "\x1b[1;31mE\x1b[0m\x1b]0;a title\x07N\x1b[6n\x1b[?25l\x1b(BO"
		"\x1b[44;93mQ\x1b[mR\x1b" "7S");
	assert_string_equal(row_text(&s, 0), "ENOQRS");
	c = &s.fb.ts.cells[0];
	assert_int_equal(c[0].attr, TEXT_ATTR(TEXT_LIGHT_RED, TEXT_BLACK));
	assert_int_equal(c[1].attr, TEXT_DEFAULT_ATTR);
	assert_int_equal(c[3].attr, TEXT_ATTR(TEXT_YELLOW, TEXT_BLUE));
	assert_int_equal(c[4].attr, TEXT_DEFAULT_ATTR);
	assert_cell_pixels(&s, 0, 0, 'E', LIGHT_RED, 0);
	assert_cell_pixels(&s, 0, 3, 'Q', 0xFFFF55, 0x0000AA);
	/* a sequence split across writes, and one cut short by CAN */
	put(&s, "\x1b[3");
	put(&s, "2mG\x1b[3\x18H");
	assert_string_equal(row_text(&s, 0), "ENOQRSGH");
	assert_int_equal(c[6].attr, TEXT_ATTR(TEXT_GREEN, TEXT_BLACK));
	free(s.mem);
}

/* Every other sequence a guest's shell or a line editor sends: skipped, nothing drawn. */
static void test_other_sequences_draw_nothing(void **state)
{
	(void)state;
	struct screen s;

	make_fb(&s, 128, 64, 32, 512);
	start(&s);
	put(&s, "a\x1b[6nb\x1b[2Jc\x1b[Hd\x1b[10;20He\x1b[?1049hf\x1b[>0cg\x1b[1 qh\x1b[38:5:1mi");
	put(&s, "\x1b=j\x1b" "8k\x1b[?2Kl\x1b[?1mm\x1b]2;title\x1b\\n\x1bPq#0\x1b\\o");
	assert_string_equal(row_text(&s, 0), "abcdefghijklmno");
	assert_int_equal(s.fb.ts.row, 0);
	/* private and intermediate-marked SGRs change no colour */
	for (unsigned c = 0; c < 15; c++)
		assert_int_equal(s.fb.ts.cells[c].attr, TEXT_DEFAULT_ATTR);
	free(s.mem);
}

static void test_erase_in_line(void **state)
{
	(void)state;
	struct screen s;

	make_fb(&s, 128, 64, 32, 512); /* 16 columns */
	start(&s);
	put(&s, "above\nabcdef\b\b\b\x1b[K");
	assert_string_equal(row_text(&s, 1), "abc");
	assert_int_equal(s.fb.ts.col, 3); /* the cursor stays */
	assert_cell_pixels(&s, 1, 3, ' ', GREY, 0); /* erased on the screen, not just the grid */
	put(&s, "XYZ\b\b\x1b[0K");
	assert_string_equal(row_text(&s, 1), "abcX");
	put(&s, "YZ\b\b\x1b[1K");
	assert_string_equal(row_text(&s, 1), "     Z");
	put(&s, "\x1b[3K\x1b[?K\x1b[?2K");      /* unknown mode, private marker: no erase */
	assert_string_equal(row_text(&s, 1), "     Z");
	put(&s, "\x1b[2KQ");
	assert_string_equal(row_text(&s, 1), "    Q");
	assert_string_equal(row_text(&s, 0), "above"); /* other lines untouched */
	/* at the right edge, with the wrap pending: the last column goes, no wrap */
	put(&s, "\r0123456789abcdef\x1b[K");
	assert_string_equal(row_text(&s, 1), "0123456789abcde");
	put(&s, "F");
	assert_string_equal(row_text(&s, 1), "0123456789abcdeF");
	assert_string_equal(row_text(&s, 2), "");
	free(s.mem);
}

/*
 * What the management console sends (core/mgmt_console.c, core/console.c):
 * echo, "\b \b" for Backspace, a log line over a half-typed command
 * ("\r ESC [ K", the line, the prompt again), Enter.
 */
static void test_console_line_editing(void **state)
{
	(void)state;
	struct screen s;

	make_fb(&s, 256, 64, 32, 1024); /* 32 columns */
	start(&s);
	put(&s, "plinth> helo");
	put(&s, "\b \b");
	put(&s, "p");
	assert_string_equal(row_text(&s, 0), "plinth> help");
	put(&s, "\b \b\b \b\b \b\b \b\b \b"); /* one Backspace more than typed: the prompt stays */
	put(&s, "li");
	put(&s, "\r\x1b[K[core] a long log line\nplinth> li");
	assert_string_equal(row_text(&s, 0), "[core] a long log line");
	assert_string_equal(row_text(&s, 1), "plinth> li");
	put(&s, "st\nNAME  ID\r\n");
	assert_string_equal(row_text(&s, 1), "plinth> list");
	assert_string_equal(row_text(&s, 2), "NAME  ID");
	assert_int_equal(s.fb.ts.row, 3); /* "\r\n" is one new line, as "\n" */
	assert_int_equal(s.fb.ts.col, 0);
	free(s.mem);
}

static void test_non_ascii_is_one_box(void **state)
{
	(void)state;
	struct screen s;

	make_fb(&s, 128, 64, 32, 512);
	start(&s);
	put(&s, "a\xc3\xa9" "b\xe2\x82\xac" "c\xff\x80" "d");
	assert_int_equal(cell_char(&s, 0, 0), 'a');
	assert_int_equal((uint8_t)cell_char(&s, 0, 1), 0xc3);
	assert_int_equal(cell_char(&s, 0, 2), 'b');
	assert_int_equal((uint8_t)cell_char(&s, 0, 3), 0xe2);
	assert_int_equal(cell_char(&s, 0, 4), 'c');
	assert_int_equal(cell_char(&s, 0, 7), 'd'); /* 0xff and a stray 0x80: two boxes */
	for (unsigned y = 0; y < FB_CELL_HEIGHT; y++)
		for (unsigned x = 0; x < FB_CELL_WIDTH; x++)
			assert_int_equal(pixel_at(&s, 8 + x, y),
					 (font_glyphs[FONT_BOX][y / 2] & (0x80u >> x)) ? GREY : 0);
	free(s.mem);
}

static void expect_refused(struct boot_framebuffer d, const char *because)
{
	struct fb_text fb;
	uint8_t mem[16];
	const char *why = NULL;

	assert_int_equal(fb_text_init(&fb, &d, mem, cells, ARRAY_SIZE(cells), &why), -E_INVAL);
	assert_non_null(why);
	if (!strstr(why, because))
		fail_msg("refused with \"%s\", expected \"%s\"", why, because);
}

static void test_bad_descriptions_refused(void **state)
{
	(void)state;
	struct screen s;
	struct boot_framebuffer d;

	make_fb(&s, 1024, 768, 32, 4096);
	d = s.d;
	d.width = 127;
	expect_refused(d, "too small");
	d = s.d;
	d.height = 63;
	expect_refused(d, "too small");
	d = s.d;
	d.width = 0;
	d.height = 0;
	expect_refused(d, "too small");
	d = s.d;
	d.bpp = 8;
	expect_refused(d, "bits per pixel");
	d = s.d;
	d.bpp = 0;
	expect_refused(d, "bits per pixel");
	d = s.d;
	d.pitch = 4095;
	expect_refused(d, "pitch");
	d = s.d;
	d.type = FB_TYPE_INDEXED;
	expect_refused(d, "RGB");
	d = s.d;
	d.type = FB_TYPE_EGA_TEXT;
	expect_refused(d, "RGB");
	d = s.d;
	d.red_size = 0;
	expect_refused(d, "colour field");
	d = s.d;
	d.blue_pos = 30;
	expect_refused(d, "colour field");
	d = s.d;
	d.green_size = 9;
	expect_refused(d, "colour field");
	d = s.d;
	d.width = 0xFFFFFFFF; /* pitch*height cannot be right either */
	expect_refused(d, "pitch");
	{
		struct fb_text fb;
		const char *why;
		assert_int_equal(fb_text_init(&fb, &s.d, NULL, cells, ARRAY_SIZE(cells), &why),
				 -E_INVAL);
		assert_non_null(why);
	}
	free(s.mem);
}

static void test_big_screens_scale_up(void **state)
{
	(void)state;
	struct boot_framebuffer d = { .pitch = 3840 * 4, .width = 3840, .height = 2160, .bpp = 32,
				      .type = FB_TYPE_RGB, .red_pos = 16, .red_size = 8,
				      .green_pos = 8, .green_size = 8, .blue_size = 8 };
	struct fb_text fb;
	const char *why;
	uint8_t dummy;

	assert_int_equal(fb_text_init(&fb, &d, &dummy, cells, ARRAY_SIZE(cells), &why), 0);
	assert_int_equal(fb.scale, 2);
	assert_int_equal(fb.ts.cols, 240);
	assert_int_equal(fb.ts.rows, 67);
	d.width = 1024, d.height = 768, d.pitch = 4096;
	assert_int_equal(fb_text_init(&fb, &d, &dummy, cells, ARRAY_SIZE(cells), &why), 0);
	assert_int_equal(fb.scale, 1);
	assert_int_equal(fb.ts.cols, 128);
	assert_int_equal(fb.ts.rows, 48);
	/* a grid too small for even the biggest letters */
	assert_int_equal(fb_text_init(&fb, &d, &dummy, cells, 10, &why), -E_INVAL);
	assert_non_null(strstr(why, "too many character cells"));
}

/* Scaled cells: each font pixel is scale x (2 * scale) screen pixels. */
static void test_scaled_glyph(void **state)
{
	(void)state;
	struct screen s;
	uint32_t grey;

	make_fb(&s, 512, 256, 32, 2048);
	{
		const char *why;
		/* 64 x 16 cells do not fit a grid of 1023: scale 2 gives 32 x 8 */
		assert_int_equal(fb_text_init(&s.fb, &s.d, s.mem, cells, 1023, &why), 0);
	}
	assert_int_equal(s.fb.scale, 2);
	fb_text_go_live(&s.fb);
	put(&s, "A");
	grey = fb_pixel_value(&s.d, GREY);
	for (unsigned y = 0; y < 32; y++)
		for (unsigned x = 0; x < 16; x++)
			assert_int_equal(pixel_at(&s, x, y), font_bit('A', y / 4, x / 2) ? grey : 0);
	free(s.mem);
}

static void test_font_covers_ascii(void **state)
{
	(void)state;
	/* every printable glyph but the space has ink; the box differs from all */
	for (unsigned c = FONT_FIRST + 1; c <= FONT_LAST; c++) {
		unsigned ink = 0;
		for (unsigned r = 0; r < FONT_HEIGHT; r++)
			ink |= font_glyph((uint8_t)c)[r];
		if (!ink)
			fail_msg("glyph %#x is empty", c);
		if (!memcmp(font_glyph((uint8_t)c), font_glyphs[FONT_BOX], FONT_HEIGHT))
			fail_msg("glyph %#x looks like the box", c);
	}
	assert_ptr_equal(font_glyph(0x7F), font_glyphs[FONT_BOX]);
	assert_ptr_equal(font_glyph(0x1F), font_glyphs[FONT_BOX]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glyph_pixels_each_depth),
		cmocka_unit_test(test_pixel_values),
		cmocka_unit_test(test_pitch_padding_untouched),
		cmocka_unit_test(test_nothing_drawn_before_live),
		cmocka_unit_test(test_scroll_moves_rows_and_clears_last),
		cmocka_unit_test(test_jump_scroll),
		cmocka_unit_test(test_wrap_and_controls),
		cmocka_unit_test(test_escapes_skipped_colours_kept),
		cmocka_unit_test(test_other_sequences_draw_nothing),
		cmocka_unit_test(test_erase_in_line),
		cmocka_unit_test(test_console_line_editing),
		cmocka_unit_test(test_non_ascii_is_one_box),
		cmocka_unit_test(test_bad_descriptions_refused),
		cmocka_unit_test(test_big_screens_scale_up),
		cmocka_unit_test(test_scaled_glyph),
		cmocka_unit_test(test_font_covers_ascii),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
