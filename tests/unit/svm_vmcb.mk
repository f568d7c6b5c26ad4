UNIT_SRCS_svm_vmcb := arch/x86/svm/svm_event.c arch/x86/svm/svm_exit.c arch/x86/svm/svm_check.c \
	arch/x86/svm/svm_state.c arch/x86/svm/svm_start.c arch/x86/svm/svm_msrpm.c
