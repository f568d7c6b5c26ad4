/*
 * MADT revision 5 (ACPI 6.3) mixing xAPIC and x2APIC processors: x2APIC ids
 * above 255, a disabled CPU, an online-capable xAPIC one (flags bit 1), two
 * I/O APICs and an x2APIC NMI entry (only counted). No PC-AT flag.
 */
[0004]                          Signature : "APIC"
[0004]                       Table Length : 00000000
[0001]                           Revision : 05
[0001]                           Checksum : 00
[0006]                             Oem ID : "X2TEST"
[0008]                       Oem Table ID : "X2APIC  "
[0004]                       Oem Revision : 00000002
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0004]                 Local Apic Address : FEE00000
[0004]              Flags (decoded below) : 00000000
                               PC-AT Compatibility : 0

[0001]                      Subtable Type : 00 [Processor Local APIC]
[0001]                             Length : 08
[0001]                       Processor ID : 00
[0001]                      Local Apic ID : 00
[0004]              Flags (decoded below) : 00000001
                                 Processor Enabled : 1
                            Runtime Online Capable : 0

[0001]                      Subtable Type : 09 [Processor Local x2APIC]
[0001]                             Length : 10
[0002]                           Reserved : 0000
[0004]                Processor x2Apic ID : 00000100
[0004]              Flags (decoded below) : 00000001
                                 Processor Enabled : 1
[0004]                      Processor UID : 00000001

[0001]                      Subtable Type : 09 [Processor Local x2APIC]
[0001]                             Length : 10
[0002]                           Reserved : 0000
[0004]                Processor x2Apic ID : 00012345
[0004]              Flags (decoded below) : 00000000
                                 Processor Enabled : 0
[0004]                      Processor UID : 00000102

[0001]                      Subtable Type : 09 [Processor Local x2APIC]
[0001]                             Length : 10
[0002]                           Reserved : 0000
[0004]                Processor x2Apic ID : 0000012C
/* iasl 20200925 cannot encode bit 1 here: test_acpi.c sets it (online-capable) */
[0004]              Flags (decoded below) : 00000000
                                 Processor Enabled : 0
[0004]                      Processor UID : 00000003

[0001]                      Subtable Type : 00 [Processor Local APIC]
[0001]                             Length : 08
[0001]                       Processor ID : 04
[0001]                      Local Apic ID : 05
[0004]              Flags (decoded below) : 00000002
                                 Processor Enabled : 0
                            Runtime Online Capable : 1

[0001]                      Subtable Type : 01 [I/O APIC]
[0001]                             Length : 0C
[0001]                        I/O Apic ID : 01
[0001]                           Reserved : 00
[0004]                            Address : FEC00000
[0004]                          Interrupt : 00000000

[0001]                      Subtable Type : 01 [I/O APIC]
[0001]                             Length : 0C
[0001]                        I/O Apic ID : 02
[0001]                           Reserved : 00
[0004]                            Address : FEC01000
[0004]                          Interrupt : 00000018

[0001]                      Subtable Type : 0A [Local x2APIC NMI]
[0001]                             Length : 0C
[0002]              Flags (decoded below) : 0005
                                          Polarity : 1
                                      Trigger Mode : 1
[0004]                      Processor UID : FFFFFFFF
[0001]               Interrupt Input LINT : 01
[0003]                           Reserved : 000000
