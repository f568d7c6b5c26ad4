/* The legacy 8259 PIC pair (arch/x86/pic.c). */
#ifndef PLINTH_X86_PIC_H
#define PLINTH_X86_PIC_H

/* Remap to vectors 0x20-0x2F and mask every line. */
void pic_disable(void);

#endif
