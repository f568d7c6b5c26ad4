UNIT_SRCS_memmap := mm/memmap.c
