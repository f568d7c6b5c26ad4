/*
 * ASIDs tag a vCPU's TLB entries so entries need not be flushed on every
 * world switch (APM 15.16). ASID 0 is the host's. A vCPU flushes its ASID on
 * its first run, so an ASID freed by one vCPU and reused by another carries
 * no stale translations over (on one CPU; SMP must flush on the others too).
 */
#define LOG_TAG "svm"
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/spinlock.h>

#include "svm.h"

/* Enough for GUEST_MAX guests of GUEST_MAX_VCPUS; CPUs offer far more. */
#define SVM_ASID_LIMIT 256

static uint64_t asid_used[SVM_ASID_LIMIT / 64];
static spinlock_t asid_lock;

int svm_asid_alloc(uint32_t nasid, uint32_t *out)
{
	uint32_t limit = nasid < SVM_ASID_LIMIT ? nasid : SVM_ASID_LIMIT;

	spin_lock(&asid_lock);
	for (uint32_t a = 1; a < limit; a++) {
		if (asid_used[a / 64] & (1ULL << (a % 64)))
			continue;
		asid_used[a / 64] |= 1ULL << (a % 64);
		spin_unlock(&asid_lock);
		*out = a;
		return 0;
	}
	spin_unlock(&asid_lock);
	log_error("out of ASIDs (%u usable)", limit ? limit - 1 : 0);
	return -E_NOSPC;
}

void svm_asid_free(uint32_t asid)
{
	if (asid == 0 || asid >= SVM_ASID_LIMIT)
		return;
	spin_lock(&asid_lock);
	asid_used[asid / 64] &= ~(1ULL << (asid % 64));
	spin_unlock(&asid_lock);
}
