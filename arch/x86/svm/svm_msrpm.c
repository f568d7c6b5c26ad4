/*
 * The MSR permission map (APM 15.11): 8 KiB, two bits per MSR (read, then
 * write intercept) for three ranges of 8 Ki MSRs each; MSRs outside them are
 * always intercepted. Pure bit manipulation, unit-tested on the host.
 */
#define LOG_TAG "svm"
#include <plinth/log.h>
#include <plinth/string.h>

#include "svm.h"

struct msrpm_range {
	uint32_t first;  /* first MSR of the range */
	uint32_t offset; /* its byte offset in the map */
};

static const struct msrpm_range ranges[] = {
	{ 0x00000000u, 0x0000 },
	{ 0xC0000000u, 0x0800 },
	{ 0xC0010000u, 0x1000 },
};
#define MSRS_PER_RANGE 0x2000u

/* Bit index of the read intercept of `msr`, or -1 if the map does not cover it. */
static long msrpm_bit(uint32_t msr)
{
	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++)
		if (msr - ranges[i].first < MSRS_PER_RANGE)
			return (long)ranges[i].offset * 8 + (long)(msr - ranges[i].first) * 2;
	return -1;
}

void svm_msrpm_init(uint8_t *msrpm)
{
	memset(msrpm, 0xFF, SVM_MSRPM_BYTES);
}

static void set_bit(uint8_t *map, long bit, bool on)
{
	if (on)
		map[bit / 8] |= (uint8_t)(1u << (bit % 8));
	else
		map[bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

bool svm_msrpm_set(uint8_t *msrpm, uint32_t msr, bool intercept_read, bool intercept_write)
{
	long bit = msrpm_bit(msr);

	if (bit < 0)
		return false;
	set_bit(msrpm, bit, intercept_read);
	set_bit(msrpm, bit + 1, intercept_write);
	return true;
}

bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write)
{
	long bit = msrpm_bit(msr);

	if (bit < 0)
		return true;
	bit += write;
	return msrpm[bit / 8] & (1u << (bit % 8));
}
