# The emulated PC platform: all device models and their glue (docs/devices.md).
UNIT_SRCS_vplatform := drivers/vplatform.c drivers/vpic.c drivers/vpit.c \
	drivers/vuart.c drivers/vrtc.c drivers/vkbc.c core/civil_time.c
