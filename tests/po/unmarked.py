#!/usr/bin/env python3
"""Finds sentences a person would read that are not marked for translation.

A string literal is a sentence when it holds two words of letters in a row
(format directives and a leading command name such as "hamlet: join: "
aside). It must be marked (Tr, TrN, TrMark) when the call
it is given to shows it to somebody: printing (Say, Complain, printf,
fprintf, puts, fputs), the command line's help (CLI11's add_option,
add_flag, add_subcommand, description, footer, group) and errors (the Status
constructors and the hub's answers). Exits 1 and lists every such literal as
FILE:LINE: TEXT; exits 0 when there is none.

Usage: unmarked.py FILE_OR_FOLDER...
"""
import os
import re
import sys

# The calls whose string arguments a person reads.
SHOWN = {
    "Say", "Complain", "printf", "fprintf", "puts", "fputs", "Format",
    "add_option", "add_flag", "add_subcommand", "description", "footer", "group",
    "InvalidArgument", "NotFound", "AlreadyExists", "PermissionDenied", "Unauthenticated",
    "FailedPrecondition", "Unavailable", "DataLoss", "Internal", "Aborted", "Unimplemented",
    "ResourceExhausted", "Cancelled", "DeadlineExceeded", "OutOfRange", "Problem",
    "Answer", "Fail", "Warn", "Note",
}
MARKS = {"Tr", "TrN", "TrMark"}

SENTENCE = re.compile(r"[A-Za-z]{2,}[ ,.;:'!?()]+[A-Za-z]{2,}")
DIRECTIVE = re.compile(r"%(\d+\$)?[-+ #0]*\d*(\.\d+)?(hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcspn%]")
# A command's name before what is said of it ("hamlet: join: ...") is typed
# by people as it is, not translated.
COMMAND = re.compile(r"^\s*(hamlet(-hub)?: )?([a-z-]+( [a-z-]+)*: ?)?")


def tokens(text):
    """Yields (kind, value, offset): kind is 'str', 'open', 'close' or 'word'."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i)
            yield ("str", text[i + len(m.group(0)):end], i)
            i = end + len(m.group(1)) + 2
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            yield ("str", text[i + 1:j], i)
            i = j + 1
        elif c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        elif c == "(":
            yield ("open", "(", i)
            i += 1
        elif c == ")":
            yield ("close", ")", i)
            i += 1
        elif c.isalpha() or c == "_":
            m = re.match(r"[A-Za-z_][A-Za-z_0-9]*(::[A-Za-z_][A-Za-z_0-9]*)*", text[i:])
            yield ("word", m.group(0), i)
            i += len(m.group(0))
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            i += 1


def unmarked(path):
    text = open(path, encoding="utf-8").read()
    found = []
    calls = []  # the name of each open parenthesis, innermost last
    last_word = None
    for kind, value, at in tokens(text):
        if kind == "word":
            last_word = value.split("::")[-1]
            continue
        if kind == "open":
            calls.append(last_word)
        elif kind == "close":
            if calls:
                calls.pop()
        elif kind == "str":
            call = calls[-1] if calls else None
            words = COMMAND.sub("", DIRECTIVE.sub(" ", value), count=1)
            if call in SHOWN and call not in MARKS and not value.startswith("-") and SENTENCE.search(words):
                found.append((text.count("\n", 0, at) + 1, value))
        last_word = None
    return found


def main(args):
    files = []
    for a in args:
        if os.path.isdir(a):
            for root, _, names in os.walk(a):
                files += [os.path.join(root, f) for f in names if f.endswith((".cc", ".h"))]
        else:
            files.append(a)
    bad = 0
    for f in sorted(files):
        for line, value in unmarked(f):
            print(f"{f}:{line}: {value}")
            bad += 1
    if bad:
        print(f"{bad} sentences are not marked for translation (Tr, TrN or TrMark; see engine/include/hamlet/language.h)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
