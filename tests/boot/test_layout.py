"""Structure rules that keep the vendor backends apart (no emulator needed):
vendor terms appear only under their own arch/x86/svm or arch/x86/vmx."""
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE_DIRS = ["boot", "arch", "core", "mm", "sched", "drivers", "include"]

VENDOR_TERMS = {
    "arch/x86/svm": re.compile(r"\b(vmcb\w*|VMCB\w*|SVM_\w+|EXITINFO\w*|EXITINTINFO|"
                               r"VM_HSAVE\w*|MSR_VM_CR|NRIPS?)\b"),
    "arch/x86/vmx": re.compile(r"\b(vmcs\w*|VMCS\w*|VMX_\w+|vmxon\w*|VMXON\w*|"
                               r"IA32_VMX_\w+|EPTP?_\w+)\b"),
}


def sources():
    for top in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".c", ".h", ".S")):
                    path = os.path.join(dirpath, name)
                    yield os.path.relpath(path, ROOT), open(path, encoding="utf-8").read()


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


@pytest.mark.parametrize("home", sorted(VENDOR_TERMS))
def test_vendor_terms_stay_home(home):
    pattern = VENDOR_TERMS[home]
    found = []
    for rel, text in sources():
        if rel.startswith(home + "/"):
            continue
        for m in pattern.finditer(strip_comments(text)):
            found.append(f"{rel}: {m.group(0)}")
    assert not found, f"{home} terms outside {home}/:\n" + "\n".join(found[:20])


def test_the_rule_would_catch_a_leak():
    """The patterns do match what they are meant to catch."""
    assert VENDOR_TERMS["arch/x86/svm"].search("struct vmcb *v; x = SVM_EXIT_NPF;")
    assert VENDOR_TERMS["arch/x86/vmx"].search("vmcs_write(VMCS_GUEST_RIP, 0);")
