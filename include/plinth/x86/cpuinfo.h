/* What the boot CPU is: vendor, family/model, paging features. */
#ifndef PLINTH_X86_CPUINFO_H
#define PLINTH_X86_CPUINFO_H

#include <plinth/types.h>

enum cpu_vendor { CPU_VENDOR_OTHER, CPU_VENDOR_INTEL, CPU_VENDOR_AMD };

struct cpu_info {
	enum cpu_vendor vendor;
	char vendor_id[13];
	char brand[49];
	unsigned family, model, stepping;
	unsigned phys_addr_bits, virt_addr_bits;
	bool page_1g;   /* 1 GiB pages in host page tables */
	bool hypervisor; /* we are nested under another hypervisor */
};

void cpu_detect(struct cpu_info *ci);
/* Control-register settings Plinth relies on (FXSAVE of guest SSE state). */
void cpu_setup(void);
void cpu_log(const struct cpu_info *ci);
const struct cpu_info *boot_cpu(void);
/* Identify the boot CPU, log it, and remember it for boot_cpu(). */
const struct cpu_info *cpu_detect_boot(void);

#endif
