UNIT_SRCS_vmx_feature_control := arch/x86/vmx/vmx_feature_control.c
