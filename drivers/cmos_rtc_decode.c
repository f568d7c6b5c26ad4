/*
 * Decoding the host RTC's time registers (include/plinth/cmos_rtc.h):
 * BCD or binary and 12- or 24-hour as status B says, every field checked,
 * since a dead CMOS battery or a missing chip gives arbitrary bytes.
 */
#include <plinth/cmos_rtc.h>
#include <plinth/errno.h>

#define CENTURY_MIN 19
#define CENTURY_MAX 99
#define CENTURY_ASSUMED 20
#define EPOCH_YEAR 1970

/* One register's value, false when it is not a valid BCD byte. */
static bool decode_byte(uint8_t v, bool binary, unsigned *out)
{
	if (binary) {
		*out = v;
		return true;
	}
	if ((v >> 4) > 9 || (v & 0x0F) > 9)
		return false;
	*out = (v >> 4) * 10u + (v & 0x0Fu);
	return true;
}

static int fail(struct cmos_rtc_error *err, const char *what, uint8_t reg, uint8_t value)
{
	err->what = what;
	err->reg = reg;
	err->value = value;
	return -E_INVAL;
}

/* A field in [lo, hi], or the error naming it. */
static bool field(uint8_t v, bool binary, unsigned lo, unsigned hi, unsigned *out)
{
	return decode_byte(v, binary, out) && *out >= lo && *out <= hi;
}

/* Hours: 0-23, or 1-12 with the PM bit (12 AM is midnight, 12 PM noon). */
static bool decode_hour(uint8_t v, uint8_t status_b, unsigned *out)
{
	bool binary = status_b & CMOS_RTC_B_BINARY;
	unsigned h;

	if (status_b & CMOS_RTC_B_24H)
		return field(v, binary, 0, 23, out);
	if (!field(v & (uint8_t)~CMOS_RTC_HOUR_PM, binary, 1, 12, &h))
		return false;
	*out = h % 12 + ((v & CMOS_RTC_HOUR_PM) ? 12 : 0);
	return true;
}

int cmos_rtc_decode(const struct cmos_rtc_regs *r, struct civil_time *out,
		    struct cmos_rtc_error *err)
{
	bool binary = r->status_b & CMOS_RTC_B_BINARY;
	struct civil_time t = {0};
	unsigned yy, century;

	if (!field(r->sec, binary, 0, 59, &t.sec))
		return fail(err, "seconds", CMOS_RTC_SEC, r->sec);
	if (!field(r->min, binary, 0, 59, &t.min))
		return fail(err, "minutes", CMOS_RTC_MIN, r->min);
	if (!decode_hour(r->hour, r->status_b, &t.hour))
		return fail(err, "hours", CMOS_RTC_HOUR, r->hour);
	if (!field(r->mon, binary, 1, 12, &t.mon))
		return fail(err, "month", CMOS_RTC_MON, r->mon);
	if (!field(r->year, binary, 0, 99, &yy))
		return fail(err, "year", CMOS_RTC_YEAR, r->year);
	/* Many chips have no century register: 0x32 is then 0 or 0xFF or CMOS junk. */
	if (!field(r->century, binary, CENTURY_MIN, CENTURY_MAX, &century))
		century = CENTURY_ASSUMED;
	t.year = century * 100 + yy;
	if (t.year < EPOCH_YEAR)
		return fail(err, "year (before 1970)", CMOS_RTC_YEAR, r->year);
	/* The day last: its range depends on the month and year. */
	if (!field(r->mday, binary, 1, civil_days_in_month(t.year, t.mon), &t.mday))
		return fail(err, "day of month", CMOS_RTC_MDAY, r->mday);
	*out = t;
	return 0;
}
