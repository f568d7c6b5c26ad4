# Decoding the host CMOS RTC's registers (drivers/cmos_rtc_decode.c), also
# against what the guests' emulated RTC (drivers/vrtc.c) encodes.
UNIT_SRCS_cmos_rtc := drivers/cmos_rtc_decode.c core/civil_time.c drivers/vrtc.c
