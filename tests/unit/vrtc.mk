# Emulated MC146818 CMOS RTC (drivers/vrtc.c, docs/devices.md).
UNIT_SRCS_vrtc := drivers/vrtc.c core/civil_time.c
