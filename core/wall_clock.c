/*
 * The wall clock (include/plinth/wall_clock.h): one reading of the host RTC
 * at boot, turned into the date at monotonic time 0. Reading the RTC again
 * for each guest would wait for its update (up to 2 ms) and race the other
 * CPUs for ports 0x70/0x71; the TSC keeps time well enough.
 */
#define LOG_TAG "time"
#include <plinth/civil_time.h>
#include <plinth/cmos_rtc.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/time.h>
#include <plinth/wall_clock.h>

#define NS_PER_SEC 1000000000ull

static uint64_t base_seconds;

uint64_t wall_clock_base(void)
{
	return base_seconds;
}

void wall_clock_init(void)
{
	struct cmos_rtc_regs regs;
	struct cmos_rtc_error bad;
	struct civil_time t;
	int err = cmos_rtc_read(&regs);
	uint64_t read_at = time_now_ns() / NS_PER_SEC;

	base_seconds = 0;
	if (err) {
		log_warn("host RTC: cannot read it (%s: %s); guests' clocks start at 1970-01-01",
			 err_name(err),
			 err == -E_TIMEDOUT ? "its update-in-progress flag never cleared"
					    : "its registers kept changing between two readings");
		return;
	}
	if (cmos_rtc_decode(&regs, &t, &bad) != 0) {
		log_warn("host RTC: bad %s (register %#x holds %#x, status B %#x); guests' clocks start at 1970-01-01",
			 bad.what, bad.reg, bad.value, regs.status_b);
		return;
	}
	uint64_t seconds = (uint64_t)civil_to_seconds(&t); /* decode refuses dates before 1970 */
	base_seconds = seconds > read_at ? seconds - read_at : 0;
	log_info("host RTC: %04u-%02u-%02u %02u:%02u:%02u UTC", t.year, t.mon, t.mday, t.hour,
		 t.min, t.sec);
}
