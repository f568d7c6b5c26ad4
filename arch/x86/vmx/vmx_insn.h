/*
 * The VMX instructions as inline functions (SDM vol. 3C, ch. 31). Each
 * reports VMfailInvalid (CF=1) and VMfailValid (ZF=1) as false; the error
 * number of a VMfailValid is in the VMCS field VMCS_INSN_ERROR.
 */
#ifndef PLINTH_VMX_INSN_H
#define PLINTH_VMX_INSN_H

#include <plinth/types.h>

#include "vmcs_fields.h"

static inline bool vmx_on(paddr_t region)
{
	uint8_t failed;

	__asm__ volatile("vmxon %1; setna %0" : "=q"(failed) : "m"(region) : "cc", "memory");
	return !failed;
}

static inline bool vmcs_clear(paddr_t vmcs)
{
	uint8_t failed;

	__asm__ volatile("vmclear %1; setna %0" : "=q"(failed) : "m"(vmcs) : "cc", "memory");
	return !failed;
}

static inline bool vmcs_load(paddr_t vmcs)
{
	uint8_t failed;

	__asm__ volatile("vmptrld %1; setna %0" : "=q"(failed) : "m"(vmcs) : "cc", "memory");
	return !failed;
}

static inline bool vmcs_write(uint64_t field, uint64_t value)
{
	uint8_t failed;

	__asm__ volatile("vmwrite %2, %1; setna %0"
			 : "=q"(failed)
			 : "r"(field), "rm"(value)
			 : "cc", "memory");
	return !failed;
}

/* 0 when the read fails (no current VMCS, unsupported field). */
static inline uint64_t vmcs_read(uint64_t field)
{
	uint64_t value = 0;
	uint8_t failed;

	__asm__ volatile("vmread %2, %1; setna %0"
			 : "=q"(failed), "=rm"(value)
			 : "r"(field)
			 : "cc", "memory");
	return failed ? 0 : value;
}

/* INVEPT types (SDM 31.3 INVEPT) and its 128-bit descriptor. */
#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXTS 2
/* INVVPID types. */
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXTS 2

/* The 128-bit operand of both: EPTP or VPID first, then 0 (no single-address use). */
struct vmx_inv_operand {
	uint64_t first, zero;
};

static inline bool vmx_invept(uint64_t type, uint64_t eptp)
{
	struct vmx_inv_operand op = { eptp, 0 };
	uint8_t failed;

	__asm__ volatile("invept %1, %2; setna %0" : "=q"(failed) : "m"(op), "r"(type) : "cc", "memory");
	return !failed;
}

static inline bool vmx_invvpid(uint64_t type, uint16_t vpid)
{
	struct vmx_inv_operand op = { vpid, 0 };
	uint8_t failed;

	__asm__ volatile("invvpid %1, %2; setna %0" : "=q"(failed) : "m"(op), "r"(type) : "cc", "memory");
	return !failed;
}

#endif
