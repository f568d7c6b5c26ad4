/* Boot CPU identification from CPUID. */
#define LOG_TAG "cpu"
#include <plinth/log.h>
#include <plinth/string.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/cpuinfo.h>

static struct cpu_info boot_cpu_info;

const struct cpu_info *boot_cpu(void)
{
	return &boot_cpu_info;
}

static void copy_regs(char *dst, const uint32_t *regs, size_t count)
{
	memcpy(dst, regs, count * sizeof(uint32_t));
}

void cpu_detect(struct cpu_info *ci)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t vendor[3] = { r.ebx, r.edx, r.ecx };

	memset(ci, 0, sizeof(*ci));
	copy_regs(ci->vendor_id, vendor, 3);
	if (strcmp(ci->vendor_id, "GenuineIntel") == 0)
		ci->vendor = CPU_VENDOR_INTEL;
	else if (strcmp(ci->vendor_id, "AuthenticAMD") == 0)
		ci->vendor = CPU_VENDOR_AMD;

	r = cpuid(1, 0);
	unsigned base_family = (r.eax >> 8) & 0xF;
	ci->family = base_family == 0xF ? base_family + ((r.eax >> 20) & 0xFF) : base_family;
	ci->model = (r.eax >> 4) & 0xF;
	if (base_family == 0x6 || base_family == 0xF)
		ci->model |= ((r.eax >> 16) & 0xF) << 4;
	ci->stepping = r.eax & 0xF;
	ci->hypervisor = (r.ecx >> 31) & 1;

	uint32_t max_ext = cpuid(0x80000000, 0).eax;
	if (max_ext >= 0x80000001)
		ci->page_1g = (cpuid(0x80000001, 0).edx >> 26) & 1;
	if (max_ext >= 0x80000004) {
		for (uint32_t leaf = 0; leaf < 3; leaf++) {
			r = cpuid(0x80000002 + leaf, 0);
			uint32_t regs[4] = { r.eax, r.ebx, r.ecx, r.edx };
			copy_regs(ci->brand + leaf * 16, regs, 4);
		}
	}
	if (max_ext >= 0x80000008) {
		r = cpuid(0x80000008, 0);
		ci->phys_addr_bits = r.eax & 0xFF;
		ci->virt_addr_bits = (r.eax >> 8) & 0xFF;
	} else {
		ci->phys_addr_bits = 36;
		ci->virt_addr_bits = 48;
	}
}

const struct cpu_info *cpu_detect_boot(void)
{
	cpu_detect(&boot_cpu_info);
	cpu_log(&boot_cpu_info);
	return &boot_cpu_info;
}

void cpu_log(const struct cpu_info *ci)
{
	const char *brand = ci->brand;

	while (*brand == ' ')
		brand++;
	log_info("%s family %#x model %#x stepping %u: %s", ci->vendor_id, ci->family,
		 ci->model, ci->stepping, *brand ? brand : "(no brand string)");
	log_info("paging: %u-bit physical, %u-bit virtual addresses, 1 GiB pages %s%s",
		 ci->phys_addr_bits, ci->virt_addr_bits, ci->page_1g ? "yes" : "no",
		 ci->hypervisor ? "; running under another hypervisor" : "");
}

void cpu_setup(void)
{
	/* FXSAVE/FXRSTOR must move guests' XMM registers too. */
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}
