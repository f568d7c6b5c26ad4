# ACPI RSDP/RSDT/XSDT/MADT parser (drivers/acpi*.c). The test's MADTs are
# compiled by iasl (acpica-tools) from tests/acpi/*.dsl into $(BUILD)/acpi
# and embedded in the test binary with .incbin, so it runs from any cwd.
UNIT_SRCS_acpi := drivers/acpi.c drivers/acpi_madt.c core/format.c
IASL ?= iasl
ACPI_AML := $(patsubst tests/acpi/%.dsl,$(BUILD)/acpi/%.aml,$(wildcard tests/acpi/*.dsl))

# iasl prints a banner even when all is well: show its output only on failure.
$(BUILD)/acpi/%.aml: tests/acpi/%.dsl
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  IASL    $<")
	$(Q)$(IASL) -vs -we -p $(basename $@) $< > $@.log 2>&1 || { cat $@.log; exit 1; }

$(BUILD)/unit/test_acpi: $(ACPI_AML) drivers/acpi_internal.h
$(BUILD)/unit/test_acpi: HOST_CFLAGS += -DACPI_AML_DIR='"$(BUILD)/acpi"'
