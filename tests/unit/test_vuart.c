/* Emulated 16550A UART (drivers/vuart.c, docs/devices.md). */
#include "host_shim.h"

#include <string.h>

#include <plinth/vplatform.h>

static struct vuart u;
static char outbuf[256];
static size_t outlen;
static unsigned out_index;

static void output(void *ctx, unsigned index, const char *buf, size_t n)
{
	assert_ptr_equal(ctx, &outlen);
	out_index = index;
	assert_true(outlen + n <= sizeof(outbuf));
	memcpy(outbuf + outlen, buf, n);
	outlen += n;
}

static void setup_uart(void)
{
	vuart_init(&u, 0x3F8, 0, output, &outlen);
	outlen = 0;
	out_index = 99;
}

static void out(unsigned reg, uint8_t v)
{
	assert_true(vuart_io(&u, (uint16_t)(0x3F8 + reg), false, &v));
}

static uint8_t in(unsigned reg)
{
	uint8_t v = 0;
	assert_true(vuart_io(&u, (uint16_t)(0x3F8 + reg), true, &v));
	return v;
}

enum { RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

/* drivers/tty/serial/8250/8250_port.c autoconfig(), in order. */
static void test_linux_autoconfig(void **state)
{
	(void)state;
	setup_uart();
	/* existence test on IER */
	uint8_t scratch = in(IER);
	out(IER, 0);
	assert_int_equal(in(IER) & 0x0F, 0);
	out(IER, 0x0F);
	assert_int_equal(in(IER) & 0x0F, 0x0F);
	out(IER, scratch);
	/* loopback test: MCR LOOP | OUT2 | RTS -> MSR DCD | CTS */
	uint8_t save_mcr = in(MCR), save_lcr = in(LCR);
	out(MCR, 0x10 | 0x0A);
	assert_int_equal(in(MSR) & 0xF0, 0x90);
	out(MCR, save_mcr);
	/* "EFR" at offset 2 with LCR 0xBF is FCR on a 16550A */
	out(LCR, 0xBF);
	out(2, 0);
	out(LCR, 0);
	out(FCR, 0x01);
	assert_int_equal(in(IIR) >> 6, 3); /* 16550A */
	/* autoconfig_16550a: no EFR at LCR 0xBF */
	out(LCR, 0xBF);
	assert_int_not_equal(in(2), 0);
	/* not a NatSemi (bank 2 EXCR1 reads IIR, LOOP bit never follows MCR) */
	out(LCR, 0);
	uint8_t s1 = in(MCR);
	out(LCR, 0xE0);
	uint8_t s2 = in(2);
	assert_int_equal((s1 ^ s2) & 0x10, 0);
	out(LCR, 0);
	out(MCR, s1 ^ 0x10);
	out(LCR, 0xE0);
	s2 = in(2);
	out(LCR, 0);
	out(MCR, s1);
	assert_int_equal((s1 ^ s2) & 0x10, 0);
	/* not a 16750: IIR bit 5 stays clear with and without DLAB */
	out(FCR, 0x21);
	assert_int_equal(in(IIR) >> 5, 6);
	out(FCR, 0x01);
	out(LCR, 0x80);
	out(FCR, 0x21);
	assert_int_equal(in(IIR) >> 5, 6);
	out(FCR, 0x01);
	out(LCR, 0);
	/* not an XScale: IER bit 6 does not stick */
	out(IER, 0x40);
	assert_int_equal(in(IER) & 0x40, 0);
	out(LCR, save_lcr);
	/* scratch register */
	out(SCR, 0xA5);
	assert_int_equal(in(SCR), 0xA5);
	out(SCR, 0x5A);
	assert_int_equal(in(SCR), 0x5A);
	/* LSR sane (not 0xFF), transmitter empty */
	assert_int_equal(in(LSR), 0x60);
	assert_int_equal(outlen, 0);
	uint8_t v;
	assert_false(vuart_io(&u, 0x3F7, true, &v));
	assert_false(vuart_io(&u, 0x400, true, &v));
}

static void test_divisor_latch(void **state)
{
	(void)state;
	setup_uart();
	out(LCR, 0x80);
	out(0, 0x01); /* 115200 */
	out(1, 0x00);
	assert_int_equal(in(0), 0x01);
	assert_int_equal(in(1), 0x00);
	out(LCR, 0x03);
	assert_int_equal(u.divisor, 1);
	assert_int_equal(in(LCR), 0x03);
	/* with DLAB clear, offset 0/1 are THR and IER again */
	out(0, 'x');
	assert_int_equal(outlen, 1);
	assert_int_equal(u.divisor, 1);
	out(LCR, 0x80);
	out(1, 0x04);
	out(LCR, 0x03);
	assert_int_equal(u.divisor, 0x401);
	assert_int_equal(in(IER), 0);
}

static void test_output_and_thre_interrupt(void **state)
{
	(void)state;
	setup_uart();
	out(MCR, 0x0B); /* DTR RTS OUT2 */
	assert_false(vuart_irq_level(&u));
	assert_int_equal(in(IIR), 0x01);
	/* enabling THRI with THR empty interrupts */
	out(IER, 0x02);
	assert_true(vuart_irq_level(&u));
	assert_int_equal(in(IIR), 0x02);
	/* reading IIR cleared it */
	assert_false(vuart_irq_level(&u));
	assert_int_equal(in(IIR), 0x01);
	/* each byte written: out at once, THRE again */
	out(RBR, 'h');
	out(RBR, 'i');
	assert_int_equal(outlen, 2);
	assert_memory_equal(outbuf, "hi", 2);
	assert_int_equal(out_index, 0);
	assert_true(vuart_irq_level(&u));
	assert_int_equal(in(LSR) & 0x60, 0x60);
	/* disabling THRI drops the line */
	out(IER, 0x00);
	assert_false(vuart_irq_level(&u));
	/* the line needs OUT2 */
	out(IER, 0x02);
	out(MCR, 0x03);
	assert_false(vuart_irq_level(&u));
	out(MCR, 0x0B);
	assert_true(vuart_irq_level(&u));
	/* with FIFOs on, IIR carries 0xC0 */
	out(FCR, 0xC7);
	assert_int_equal(in(IIR), 0xC2);
	assert_int_equal(in(IIR), 0xC1);
	/* no callback: bytes are dropped quietly */
	vuart_init(&u, 0x2F8, 1, NULL, NULL);
	uint8_t c = 'z';
	assert_true(vuart_io(&u, 0x2F8, false, &c));
}

static void test_receive(void **state)
{
	(void)state;
	setup_uart();
	out(MCR, 0x08);
	out(IER, 0x01);
	assert_false(vuart_irq_level(&u));
	assert_int_equal(vuart_input(&u, "ab", 2), 2);
	assert_true(vuart_irq_level(&u));
	assert_int_equal(in(IIR), 0x04); /* FIFO off: trigger level 1 */
	assert_int_equal(in(LSR) & 0x01, 0x01);
	assert_int_equal(in(RBR), 'a');
	assert_true(vuart_irq_level(&u));
	assert_int_equal(in(RBR), 'b');
	assert_false(vuart_irq_level(&u));
	assert_int_equal(in(LSR) & 0x01, 0);
	/* FIFO with trigger 8: below it the timeout interrupt (0xCC) */
	out(FCR, 0x81);
	vuart_input(&u, "0123", 4);
	assert_int_equal(in(IIR), 0xCC);
	vuart_input(&u, "4567", 4);
	assert_int_equal(in(IIR), 0xC4);
	/* FCR clear RX empties the FIFO */
	out(FCR, 0x83);
	assert_int_equal(in(LSR) & 0x01, 0);
	/* the buffer holds VUART_RX_SIZE bytes, the rest is refused */
	char big[VUART_RX_SIZE + 10];
	memset(big, 'q', sizeof(big));
	assert_int_equal(vuart_input(&u, big, sizeof(big)), VUART_RX_SIZE);
	for (unsigned i = 0; i < VUART_RX_SIZE; i++)
		assert_int_equal(in(RBR), 'q');
	assert_int_equal(in(LSR) & 0x01, 0);
	/* receive priority over THRE */
	out(IER, 0x03);
	vuart_input(&u, "x", 1);
	assert_int_equal(in(IIR) & 0x0F, 0x0C);
	in(RBR);
	assert_int_equal(in(IIR) & 0x0F, 0x02);
}

static void test_loopback(void **state)
{
	(void)state;
	setup_uart();
	out(MCR, 0x10);
	assert_int_equal(in(MSR) & 0xF0, 0x00);
	out(MCR, 0x1F); /* all four outputs */
	uint8_t msr = in(MSR);
	assert_int_equal(msr & 0xF0, 0xF0);
	assert_int_equal(msr & 0x0B, 0x0B); /* DCTS DDSR DDCD */
	assert_int_equal(in(MSR) & 0x0F, 0); /* read clears the deltas */
	out(MCR, 0x1B); /* OUT1 off: RI falls -> TERI */
	assert_int_equal(in(MSR), 0xB4);
	/* bytes written come back, not out */
	out(RBR, 'L');
	assert_int_equal(outlen, 0);
	assert_int_equal(in(LSR) & 0x01, 0x01);
	assert_int_equal(in(RBR), 'L');
	/* overrun when the loop fills the buffer */
	for (unsigned i = 0; i <= VUART_RX_SIZE; i++)
		out(RBR, 'o');
	out(IER, 0x04);
	assert_int_equal(in(IIR), 0x06);
	assert_int_equal(in(LSR) & 0x02, 0x02);
	assert_int_equal(in(LSR) & 0x02, 0);
	/* no IRQ line in loopback */
	assert_false(vuart_irq_level(&u));
	/* back to normal: a terminal is attached */
	out(MCR, 0x03);
	assert_int_equal(in(MSR) & 0xF0, 0xB0);
	/* modem status interrupt */
	out(IER, 0x08);
	out(MCR, 0x10);
	assert_int_equal(in(IIR), 0x00);
	in(MSR);
	assert_int_equal(in(IIR), 0x01);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_autoconfig),
		cmocka_unit_test(test_divisor_latch),
		cmocka_unit_test(test_output_and_thre_interrupt),
		cmocka_unit_test(test_receive),
		cmocka_unit_test(test_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
