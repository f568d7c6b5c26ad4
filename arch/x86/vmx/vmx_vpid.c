/*
 * VPIDs (SDM vol. 3C, 29.1): tags for a vCPU's linear translations; 0 is
 * the host's. A vCPU flushes its VPID before its first entry (vmx_run.c), so
 * one freed and handed out again carries nothing stale over (one CPU).
 */
#include <plinth/spinlock.h>

#include "vmx.h"

#define VPID_SLOTS 256 /* GUEST_MAX guests of GUEST_MAX_VCPUS need far fewer */

static bool taken[VPID_SLOTS];
static spinlock_t vpid_lock;

/* 0 when none is free: the vCPU then runs untagged (the entry flushes). */
uint16_t vmx_vpid_alloc(void)
{
	uint16_t found = 0;

	spin_lock(&vpid_lock);
	for (uint16_t id = 1; id < VPID_SLOTS && !found; id++) {
		if (!taken[id]) {
			taken[id] = true;
			found = id;
		}
	}
	spin_unlock(&vpid_lock);
	return found;
}

void vmx_vpid_free(uint16_t vpid)
{
	if (vpid == 0 || vpid >= VPID_SLOTS)
		return;
	spin_lock(&vpid_lock);
	taken[vpid] = false;
	spin_unlock(&vpid_lock);
}
