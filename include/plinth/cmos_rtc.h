/*
 * The host's CMOS real-time clock (MC146818 and compatibles, ports
 * 0x70/0x71), read once at boot for the guests' clocks (core/wall_clock.c).
 * Reading (drivers/cmos_rtc.c) is thin port I/O; decoding
 * (drivers/cmos_rtc_decode.c) is pure and unit-tested.
 */
#ifndef PLINTH_CMOS_RTC_H
#define PLINTH_CMOS_RTC_H

#include <plinth/civil_time.h>
#include <plinth/types.h>

/* CMOS register numbers. */
#define CMOS_RTC_SEC 0x00
#define CMOS_RTC_MIN 0x02
#define CMOS_RTC_HOUR 0x04
#define CMOS_RTC_MDAY 0x07
#define CMOS_RTC_MON 0x08
#define CMOS_RTC_YEAR 0x09
#define CMOS_RTC_STATUS_A 0x0A
#define CMOS_RTC_STATUS_B 0x0B
#define CMOS_RTC_CENTURY 0x32	/* the usual place; ACPI's FADT may name another */

#define CMOS_RTC_A_UIP 0x80	/* update in progress: the time registers are changing */
#define CMOS_RTC_B_BINARY 0x04	/* DM: binary, not BCD */
#define CMOS_RTC_B_24H 0x02	/* 24-hour, not 12-hour with PM in hour bit 7 */
#define CMOS_RTC_HOUR_PM 0x80

/* The time registers as the chip holds them (encoded as status B says). */
struct cmos_rtc_regs {
	uint8_t sec, min, hour, mday, mon, year, century, status_b;
};

/* What was wrong with a reading: the field, its register and raw value. */
struct cmos_rtc_error {
	const char *what;	/* "seconds", "hours", "day of month", ... */
	uint8_t reg;
	uint8_t value;
};

/*
 * Registers -> civil time (UTC assumed). The century register counts only
 * when it holds a valid value from 19 to 99; otherwise the year is 20xx.
 * 0, or -E_INVAL with *err saying which field was out of range or not
 * valid BCD (dates before 1970 too: "year (before 1970)").
 */
int cmos_rtc_decode(const struct cmos_rtc_regs *r, struct civil_time *out,
		    struct cmos_rtc_error *err);

/*
 * Port I/O: waits (bounded) for no update in progress and reads the time
 * registers, twice, until two readings agree. 0, or -E_TIMEDOUT when the
 * update flag never cleared (no RTC answers: the ports read all ones), or
 * -E_BUSY when readings kept changing. Only the boot CPU, before the others
 * start (ports 0x70/0x71 are one shared index/data pair).
 */
int cmos_rtc_read(struct cmos_rtc_regs *out);

#endif
