/*
 * The one place where segment attributes change format. struct segment
 * (vcpu.h) packs type, S, DPL, P in bits 0-7 and AVL, L, D/B, G in bits
 * 8-11; the VMCS access-rights fields (SDM vol. 3C, 25.4.1, table 25-2) keep
 * bits 0-7 where they are, move the upper four to bits 12-15, and mark a
 * segment that is not present as unusable with bit 16. Pure.
 */
#include "vmx.h"

#define ATTR_LOW 0x0FFu
#define ATTR_HIGH 0xF00u
#define AR_HIGH_SHIFT 4

uint32_t vmx_ar_from_attr(uint16_t attr)
{
	uint32_t ar = (attr & ATTR_LOW) | ((uint32_t)(attr & ATTR_HIGH) << AR_HIGH_SHIFT);

	return (attr & SEG_ATTR_P) ? ar : ar | VMX_AR_UNUSABLE;
}

uint16_t vmx_attr_from_ar(uint32_t ar)
{
	uint16_t attr = (uint16_t)((ar & ATTR_LOW) | ((ar >> AR_HIGH_SHIFT) & ATTR_HIGH));

	/* An unusable segment reads as not present, whatever else the CPU left there. */
	return (ar & VMX_AR_UNUSABLE) ? (uint16_t)(attr & ~SEG_ATTR_P) : attr;
}
