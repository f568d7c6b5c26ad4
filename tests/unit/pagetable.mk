UNIT_SRCS_pagetable := mm/pagetable.c arch/x86/pt_x86.c
