/* Emulated i8042 keyboard controller (drivers/vkbc.c, docs/devices.md). */
#include "host_shim.h"

#include <string.h>

#include <plinth/vplatform.h>

static struct vkbc kbc;
static unsigned resets;
static char last_why[64];

static void on_reset(void *ctx, const char *why)
{
	assert_ptr_equal(ctx, &resets);
	resets++;
	strncpy(last_why, why, sizeof(last_why) - 1);
}

static void setup_kbc(void)
{
	vkbc_init(&kbc, on_reset, &resets);
	resets = 0;
	last_why[0] = 0;
}

static uint8_t status(void)
{
	uint8_t v;
	assert_true(vkbc_io(&kbc, 0x64, true, &v));
	return v;
}

static void cmd(uint8_t c)
{
	assert_true(vkbc_io(&kbc, 0x64, false, &c));
}

static void data(uint8_t d)
{
	assert_true(vkbc_io(&kbc, 0x60, false, &d));
}

/* Poll status for OBF and read the byte, as i8042_wait_read() does. */
static int read_byte(void)
{
	if (!(status() & 0x01))
		return -1;
	uint8_t v;
	assert_true(vkbc_io(&kbc, 0x60, true, &v));
	return v;
}

static void test_self_tests(void **state)
{
	(void)state;
	setup_kbc();
	assert_int_equal(status() & 0x15, 0x14); /* unlocked, SYS, empty */
	assert_int_equal(read_byte(), -1);
	cmd(0xAA);
	assert_int_equal(status() & 0x09, 0x09); /* OBF, last write a command */
	assert_int_equal(read_byte(), 0x55);
	cmd(0xAB);
	assert_int_equal(read_byte(), 0x00);
	cmd(0xA9);
	assert_int_equal(read_byte(), 0x00);
	cmd(0xA4);
	assert_int_equal(read_byte(), 0xF1);
	assert_int_equal(read_byte(), -1);
	uint8_t v;
	assert_false(vkbc_io(&kbc, 0x61, true, &v));
}

static void test_command_byte(void **state)
{
	(void)state;
	setup_kbc();
	cmd(0x20);
	assert_int_equal(read_byte(), 0x65);
	cmd(0x60);
	data(0x47);
	assert_int_equal(status() & 0x08, 0); /* last write was data */
	cmd(0x20);
	assert_int_equal(read_byte(), 0x47);
	/* disable/enable ports flip bits 4 and 5 */
	cmd(0xAD);
	cmd(0xA7);
	cmd(0x20);
	assert_int_equal(read_byte(), 0x77);
	cmd(0xAE);
	cmd(0xA8);
	cmd(0x20);
	assert_int_equal(read_byte(), 0x47);
	/* SYS follows the command byte */
	cmd(0x60);
	data(0x00);
	assert_int_equal(status() & 0x04, 0);
	/* no interrupts with the enable bits clear */
	cmd(0xAA);
	vkbc_sync(&kbc);
	assert_false(vkbc_irq1(&kbc));
	read_byte();
	cmd(0x60);
	data(0x03);
	cmd(0xAA);
	vkbc_sync(&kbc);
	assert_true(vkbc_irq1(&kbc));
	assert_false(vkbc_irq12(&kbc));
	read_byte();
	assert_false(vkbc_irq1(&kbc));
	/* aux loopback (0xD3) answers on the aux side: AUXB, IRQ12 */
	cmd(0xD3);
	data(0x5A);
	assert_int_equal(status() & 0x21, 0x21);
	assert_true(vkbc_irq12(&kbc));
	assert_int_equal(read_byte(), 0x5A);
	/* kbd loopback */
	cmd(0xD2);
	data(0x1C);
	assert_int_equal(status() & 0x21, 0x01);
	assert_int_equal(read_byte(), 0x1C);
}

static void test_keyboard_device(void **state)
{
	(void)state;
	setup_kbc();
	data(0xFF);
	assert_int_equal(read_byte(), 0xFA);
	assert_int_equal(read_byte(), 0xAA);
	assert_int_equal(read_byte(), -1);
	data(0xF2);
	assert_int_equal(read_byte(), 0xFA);
	assert_int_equal(read_byte(), 0xAB);
	assert_int_equal(read_byte(), 0x41); /* translated */
	data(0xF5);
	assert_int_equal(read_byte(), 0xFA);
	assert_false(kbc.scanning);
	data(0xF4);
	assert_int_equal(read_byte(), 0xFA);
	assert_true(kbc.scanning);
	data(0xED);
	assert_int_equal(read_byte(), 0xFA);
	data(0x07);
	assert_int_equal(read_byte(), 0xFA);
	data(0xF0);
	data(0x00);
	assert_int_equal(read_byte(), 0xFA);
	assert_int_equal(read_byte(), 0xFA);
	assert_int_equal(read_byte(), 0x41);
	data(0xEE);
	assert_int_equal(read_byte(), 0xEE);
	/* no mouse: anything for the aux device is answered 0xFE from aux */
	cmd(0xD4);
	data(0xF2);
	assert_int_equal(status() & 0x21, 0x21);
	assert_int_equal(read_byte(), 0xFE);
	/* the queue is bounded */
	for (unsigned i = 0; i < 2 * VKBC_QUEUE; i++)
		data(0xEE);
	unsigned n = 0;
	while (read_byte() >= 0)
		n++;
	assert_int_equal(n, VKBC_QUEUE); /* the rest was dropped */
}

static void test_reset(void **state)
{
	(void)state;
	setup_kbc();
	cmd(0xFF); /* pulse nothing */
	assert_int_equal(resets, 0);
	cmd(0xFE); /* pulse reset: the Linux reboot=kbd way */
	assert_int_equal(resets, 1);
	assert_string_equal(last_why, "i8042 pulse reset");
	/* output port: read, write with bit 0 cleared resets */
	cmd(0xD0);
	assert_int_equal(read_byte() & 0x03, 0x03);
	cmd(0xD1);
	data(0x03);
	assert_int_equal(resets, 1);
	cmd(0xDD);
	cmd(0xD0);
	assert_int_equal(read_byte() & 0x03, 0x01);
	cmd(0xD1);
	data(0x02);
	assert_int_equal(resets, 2);
	/* no callback: nothing happens */
	vkbc_init(&kbc, NULL, NULL);
	cmd(0xFE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_tests),
		cmocka_unit_test(test_command_byte),
		cmocka_unit_test(test_keyboard_device),
		cmocka_unit_test(test_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
