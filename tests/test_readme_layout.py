"""The repository tree drawn in the README's Architecture section is the real one: every directory and module it
names exists, and every package of the repository is in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tree() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    architecture = readme[readme.index("## Architecture") : readme.index("\n## ", readme.index("## Architecture") + 1)]
    (tree,) = [
        block
        for block in re.findall(r"```\n(.*?)```", architecture, re.DOTALL)
        if re.search(r"^pipelines/", block, re.MULTILINE)
    ]
    return tree.splitlines()


def test_every_path_the_tree_names_exists():
    top = None
    named = []
    for line in _tree():
        match = re.match(r"^( *)(\S+)", line)
        if not match or not re.fullmatch(r"[\w.]+/?", match[2]):
            continue  # a continuation line of a description
        indent, name = match[1], match[2]
        if not indent:
            top = name
            named.append(ROOT / name)
        elif len(indent) == 2 and top is not None:
            named.append(ROOT / top / name)
    assert len(named) > 10
    missing = [str(path.relative_to(ROOT)) for path in named if not path.exists()]
    assert not missing, f"the README tree names paths that do not exist: {missing}"


def test_every_package_is_in_the_tree():
    listed = {line.split()[0] for line in _tree() if line and not line.startswith(" ")}
    packages = {f"{path.parent.name}/" for path in ROOT.glob("*/__init__.py")}
    assert packages - {"tests/"} <= listed
    assert {"infra/", "tests/"} <= listed
