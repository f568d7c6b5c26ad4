/*
 * rtc: reads the emulated CMOS RTC (ports 0x70/0x71) as an OS would and
 * prints the date, which tests/boot/test_guests.py compares with the date
 * it gave QEMU's RTC (Plinth reads that at boot and starts the guests'
 * clocks from it). It decodes the registers itself, independently of
 * Plinth's decoder, and checks that the clock ticks.
 */
#include "guest.h"

#define MS 1000000ull
#define SLEEP_NS (1500 * MS)
#define TIMER_VECTOR 0x41
#define UIP_POLLS 1000000u
#define READ_TRIES 5

struct rtc_time {
	unsigned year, mon, mday, hour, min, sec;
	uint8_t status_b, century;
};

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static bool bcd_ok(uint8_t v)
{
	return (v >> 4) <= 9 && (v & 0x0F) <= 9;
}

static unsigned bcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 0x0Fu);
}

static bool wait_no_update(void)
{
	for (unsigned i = 0; i < UIP_POLLS; i++)
		if (!(cmos(0x0A) & 0x80))
			return true;
	return false;
}

/* Raw registers, read until two readings agree; false if they never settle. */
static bool read_raw(uint8_t raw[8])
{
	static const uint8_t regs[8] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32, 0x0B };
	uint8_t again[8];

	for (unsigned t = 0; t < READ_TRIES; t++) {
		if (!wait_no_update())
			return false;
		for (unsigned i = 0; i < 8; i++)
			raw[i] = cmos(regs[i]);
		if (!wait_no_update())
			return false;
		bool same = true;
		for (unsigned i = 0; i < 8; i++) {
			again[i] = cmos(regs[i]);
			same = same && again[i] == raw[i];
		}
		if (same)
			return true;
	}
	return false;
}

/* The power-on format is BCD, 24-hour (status B 0x02): decoded here. */
static bool read_time(struct rtc_time *t)
{
	uint8_t raw[8];

	if (!read_raw(raw))
		return false;
	for (unsigned i = 0; i < 7; i++)
		if (!bcd_ok(raw[i]))
			return false;
	t->sec = bcd(raw[0]);
	t->min = bcd(raw[1]);
	t->hour = bcd(raw[2]);
	t->mday = bcd(raw[3]);
	t->mon = bcd(raw[4]);
	t->century = raw[6];
	t->year = bcd(raw[6]) * 100 + bcd(raw[5]);
	t->status_b = raw[7];
	return t->sec < 60 && t->min < 60 && t->hour < 24 && t->mday >= 1 && t->mday <= 31 &&
	       t->mon >= 1 && t->mon <= 12;
}

static unsigned second_of_day(const struct rtc_time *t)
{
	return t->hour * 3600u + t->min * 60u + t->sec;
}

/* Halts for SLEEP_NS of Plinth's clock (HC_SET_TIMER wakes it). */
static bool sleep_a_while(void)
{
	volatile unsigned *count = &rt_irq_count[TIMER_VECTOR];
	uint64_t deadline = hc_clock() + SLEEP_NS;

	while (hc_clock() < deadline) {
		unsigned before = *count;
		cli();
		if (hc_set_timer(deadline, TIMER_VECTOR) != 0) {
			sti();
			return false;
		}
		while (*count == before)
			asm volatile("sti\n\thlt\n\tcli" ::: "memory");
		sti();
	}
	return true;
}

void guest_main(void)
{
	struct rtc_time t0, t1;

	if (!check(read_time(&t0), "rtc-read", "time registers settle, valid BCD"))
		return;
	check(t0.status_b == 0x02, "rtc-format", "status B %#x (BCD, 24-hour)", t0.status_b);
	check(t0.year > 1970, "rtc-not-1970", "year %u", t0.year);
	say("rtc date %04u-%02u-%02u %02u:%02u:%02u (century byte %#x)", t0.year, t0.mon, t0.mday,
	    t0.hour, t0.min, t0.sec, t0.century);

	/* 1.5 s later the clock has moved on by one or two seconds, or a few
	 * more if the host held this guest back; never less. */
	bool slept = sleep_a_while();
	bool read = read_time(&t1);
	unsigned elapsed = (second_of_day(&t1) + 86400u - second_of_day(&t0)) % 86400u;
	check(slept && read && elapsed >= 1 && elapsed <= 120, "rtc-ticks",
	      "%u s passed on the RTC while 1.5 s passed on HC_CLOCK", elapsed);
}
