/* The built-in demo configuration (core/demo.toml), used when no .toml module is given. */
	.section .rodata
	.globl config_demo, config_demo_end
config_demo:
	.incbin "core/demo.toml"
config_demo_end:
