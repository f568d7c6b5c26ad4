# The detached guests' console output ring (core/byte_ring.c).
UNIT_SRCS_byte_ring := core/byte_ring.c
