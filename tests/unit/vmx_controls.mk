UNIT_SRCS_vmx_controls := arch/x86/vmx/vmx_controls.c
