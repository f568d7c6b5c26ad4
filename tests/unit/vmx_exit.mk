UNIT_SRCS_vmx_exit := arch/x86/vmx/vmx_exit.c arch/x86/vmx/vmx_check.c arch/x86/vmx/vmx_errors.c arch/x86/vmx/vmx_seg.c arch/x86/vmx/vmx_start.c
