"""Finding the commands a document tells its reader to run.

`fenced(md)`: every command of the ```sh blocks, one a line, except that a line ending
in a backslash continues on the next and a here-document runs to its terminator; a
comment `# exits N` on the command gives the exit status it is documented to have.
`inline(md)`: the code spans outside fenced blocks that start with a program a reader
runs (`s2sim SUBCOMMAND`, a script of the tree, a binary under build/, ctest, sed,
valgrind). `shown(text)`: the command lines a program's own output hands the reader
(`s2sim lab show N`: lines that start, after indentation, with `s2sim `; a `# exits N`
comment as in fenced blocks).

Python 3 standard library only.
"""
import re
from dataclasses import dataclass

HEREDOC = re.compile(r"<<-?\s*'?([A-Za-z_]+)'?")
EXITS = re.compile(r"#\s*exits\s+([0-9]+)")
# What an inline code span must start with to be a command (not a path or a name).
PROGRAM = re.compile(r"^(s2sim (run|compare|sweep|decode|lab|scenarios|help|[A-Z]+)\b|s2sim --|"
                     r"scripts/\S+\.sh\b|tests/\S+\.sh\b|build/\S+ |ctest |sed |valgrind |python3 )")


@dataclass
class Command:
    text: str
    line: int
    expect: int = 0

    @property
    def key(self):
        """The command without its trailing comments: what the tests' lists name it by."""
        return "\n".join(re.sub(r"\s+#.*$", "", part) for part in self.text.split("\n"))


def fenced(md):
    out = []
    in_sh = False
    heredoc_end = None
    cur = None
    for lineno, line in enumerate(md.split("\n"), 1):
        if not in_sh:
            in_sh = line.strip() == "```sh"
            continue
        if heredoc_end is not None:
            cur.text += "\n" + line
            if line == heredoc_end:
                out.append(cur)
                heredoc_end = None
            continue
        if line.strip() == "```":
            in_sh = False
            continue
        if cur is None or not cur.text.endswith("\\"):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cur = Command(line, lineno)
        else:
            cur.text += "\n" + line
        m = EXITS.search(line)
        if m:
            cur.expect = int(m.group(1))
        m = HEREDOC.search(line)
        if m:
            heredoc_end = m.group(1)
            continue
        if not line.endswith("\\"):
            out.append(cur)
            cur = None
    return out


def inline(md):
    out = []
    in_fence = False
    for lineno, line in enumerate(md.split("\n"), 1):
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        # A table cell escapes its pipes as \|.
        for m in re.finditer(r"`([^`]+)`", line):
            span = m.group(1).replace("\\|", "|")
            if PROGRAM.match(span):
                out.append(Command(span, lineno))
    # Spans broken across lines: join each paragraph's lines and look again for the
    # ones the per-line pass cannot see.
    text = md
    for m in re.finditer(r"`([^`\n]*\n[^`]*)`", text):
        span = " ".join(part.strip() for part in m.group(1).split("\n"))
        if PROGRAM.match(span):
            out.append(Command(span, text.count("\n", 0, m.start()) + 1))
    return out


def shown(text):
    out = []
    for lineno, line in enumerate(text.split("\n"), 1):
        s = line.strip()
        if s.startswith("s2sim "):
            m = EXITS.search(s)
            out.append(Command(s, lineno, int(m.group(1)) if m else 0))
    return out
