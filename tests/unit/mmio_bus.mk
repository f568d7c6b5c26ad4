UNIT_SRCS_mmio_bus := core/mmio_bus.c
