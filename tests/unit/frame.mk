UNIT_SRCS_frame := mm/frame.c
