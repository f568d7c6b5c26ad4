UNIT_SRCS_svm_exit := arch/x86/svm/svm_exit.c arch/x86/svm/svm_check.c arch/x86/svm/svm_start.c
