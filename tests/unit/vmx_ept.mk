UNIT_SRCS_vmx_ept := arch/x86/vmx/vmx_ept.c mm/pagetable.c
