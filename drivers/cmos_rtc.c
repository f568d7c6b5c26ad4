/*
 * Reading the host's CMOS RTC through ports 0x70 (index) and 0x71 (data);
 * decoding is drivers/cmos_rtc_decode.c. The time registers change during
 * the once-a-second update, so the reader waits for the update flag (status
 * A UIP) to clear and reads everything twice until both readings agree.
 */
#include <plinth/cmos_rtc.h>
#include <plinth/errno.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/io.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
/* The update takes at most 1984 us after UIP rises 244 us ahead of it. */
#define UIP_WAIT_NS 20000000ull
#define READ_ATTEMPTS 5

/*
 * Index bit 7 masks the chipset's NMI input. Plinth never sets it (nothing
 * else writes port 0x70), and it counts NMIs rather than fearing them, so
 * the index is written with bit 7 clear, as Linux does: NMIs stay enabled.
 */
static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg & 0x7F);
	return inb(CMOS_DATA);
}

static bool wait_update_done(void)
{
	uint64_t deadline = time_now_ns() + UIP_WAIT_NS;

	while (cmos_read(CMOS_RTC_STATUS_A) & CMOS_RTC_A_UIP) {
		if (time_now_ns() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

static void read_regs(struct cmos_rtc_regs *r)
{
	r->sec = cmos_read(CMOS_RTC_SEC);
	r->min = cmos_read(CMOS_RTC_MIN);
	r->hour = cmos_read(CMOS_RTC_HOUR);
	r->mday = cmos_read(CMOS_RTC_MDAY);
	r->mon = cmos_read(CMOS_RTC_MON);
	r->year = cmos_read(CMOS_RTC_YEAR);
	r->century = cmos_read(CMOS_RTC_CENTURY);
	r->status_b = cmos_read(CMOS_RTC_STATUS_B);
}

int cmos_rtc_read(struct cmos_rtc_regs *out)
{
	struct cmos_rtc_regs first, second;

	for (unsigned i = 0; i < READ_ATTEMPTS; i++) {
		if (!wait_update_done())
			return -E_TIMEDOUT;
		read_regs(&first);
		if (!wait_update_done())
			return -E_TIMEDOUT;
		read_regs(&second);
		/* An update between the two readings (or inside one) shows as a difference. */
		if (memcmp(&first, &second, sizeof(first)) == 0) {
			*out = second;
			return 0;
		}
	}
	return -E_BUSY;
}
