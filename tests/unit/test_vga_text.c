/*
 * The VGA text back end (drivers/vga_text.c) on ordinary memory: cells and
 * attributes, going live, jump scrolling, refused geometries, and the BIOS
 * data area's text mode (what a BIOS boot leaves on the screen).
 */
#include "host_shim.h"

#include <string.h>

#include <plinth/errno.h>
#include <plinth/vga_text.h>

#define CANARY 0x5A

static struct text_cell cells[256 * 128];

static void test_vga_cells(void **state)
{
	(void)state;
	uint16_t mem[80 * 25];
	struct vga_text v;
	const char *why;

	memset(mem, CANARY, sizeof(mem));
	assert_int_equal(vga_text_init(&v, mem, 80, 25, cells, ARRAY_SIZE(cells), &why), 0);
	assert_int_equal(mem[0], 0x5A5A); /* not live yet */
	vga_text_go_live(&v);
	assert_int_equal(mem[0], 0x0720);
	vga_text_write(&v, "hi\x1b[31m!", 8);
	assert_int_equal(mem[0], 0x0768);
	assert_int_equal(mem[1], 0x0769);
	assert_int_equal(mem[2], 0x0421); /* red */
	assert_int_equal(v.ts.scroll_step, 6); /* a quarter of 25 rows */
	for (int i = 0; i < 25; i++)
		vga_text_write(&v, "\nline", 5);
	/* "hi!" and 5 "line"s scrolled off; the 25th "line" went to row 19 */
	assert_int_equal(mem[0], 0x046C); /* still red */
	assert_int_equal(mem[19 * 80], 0x046C);
	assert_int_equal(mem[19 * 80 + 4], 0x0720);
	assert_int_equal(mem[20 * 80], 0x0720);
	assert_int_equal(mem[24 * 80], 0x0720);
	assert_int_equal(vga_text_init(&v, mem, 80, 24, cells, ARRAY_SIZE(cells), &why), -E_INVAL);
	assert_non_null(why);
	assert_int_equal(vga_text_init(&v, mem, 200, 25, cells, ARRAY_SIZE(cells), &why), -E_INVAL);
	assert_int_equal(vga_text_init(&v, mem, 80, 25, cells, 100, &why), -E_INVAL);
	assert_int_equal(vga_text_init(&v, NULL, 80, 25, cells, ARRAY_SIZE(cells), &why), -E_INVAL);
}

static void test_vga_bios_mode(void **state)
{
	(void)state;
	uint8_t bda[256] = { 0 };
	struct vga_bios_mode m;

	assert_false(vga_bios_text_mode(bda, &m)); /* zeroed: a UEFI machine's page 0 */
	bda[0x49] = 3;
	bda[0x4A] = 80;
	bda[0x63] = 0xD4, bda[0x64] = 0x03;
	bda[0x84] = 24;
	assert_true(vga_bios_text_mode(bda, &m));
	assert_int_equal(m.addr, 0xB8000);
	assert_int_equal(m.cols, 80);
	assert_int_equal(m.rows, 25);
	assert_int_equal(m.crtc_port, 0x3D4);
	bda[0x84] = 49; /* 80x50 */
	assert_true(vga_bios_text_mode(bda, &m));
	assert_int_equal(m.rows, 50);
	bda[0x84] = 0; /* CGA BIOS: no rows byte */
	assert_true(vga_bios_text_mode(bda, &m));
	assert_int_equal(m.rows, 25);
	bda[0x63] = 0xB4; /* colour mode with the mono CRTC: inconsistent */
	assert_false(vga_bios_text_mode(bda, &m));
	bda[0x49] = 7; /* mono */
	assert_true(vga_bios_text_mode(bda, &m));
	assert_int_equal(m.addr, 0xB0000);
	bda[0x49] = 0x12; /* VGA graphics */
	assert_false(vga_bios_text_mode(bda, &m));
	bda[0x49] = 3, bda[0x63] = 0xD4, bda[0x4A] = 40; /* 40 columns */
	assert_false(vga_bios_text_mode(bda, &m));
	bda[0x4A] = 80, bda[0x84] = 99; /* 100 rows */
	assert_false(vga_bios_text_mode(bda, &m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vga_cells),
		cmocka_unit_test(test_vga_bios_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
