"""Apply rate of the patch corpus (tests/patches), as written and after the repair layers.

    python benchmarks/patch_apply.py

Only the patches meant to apply count (the hostile ones must be rejected, and are: the
script says if one is not). Baseline: applying each patch exactly as written.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from idealize.patches.check import check_patch

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "patches"


def main() -> int:
    cases = tomllib.loads((CORPUS / "cases.toml").read_text())["case"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(CORPUS / "repo", root)
        (Path(tmp) / "outside").mkdir()
        (root / "vendor").mkdir()
        os.symlink(Path(tmp) / "outside", root / "vendor" / "link")
        (root / "assets").mkdir()
        (root / "assets" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
        meant = [
            c
            for c in cases
            if c["status"] != "rejected" or "not in the file" in c.get("reason", "")
        ]
        hostile = [c for c in cases if c not in meant]
        verdicts = {c["file"]: check_patch(root, (CORPUS / c["file"]).read_text()) for c in cases}
    written = sum(1 for c in meant if verdicts[c["file"]].status == "applies")
    repaired = sum(1 for c in meant if verdicts[c["file"]].status in ("applies", "repaired"))
    print(f"{'patches meant to apply':<28} {len(meant)}")
    print(
        f"{'applied as written':<28} {written}/{len(meant)} = {written / len(meant):.0%}  (baseline)"
    )
    print(f"{'applied after repair':<28} {repaired}/{len(meant)} = {repaired / len(meant):.0%}")
    for c in meant:
        v = verdicts[c["file"]]
        print(f"  {c['file']:<26} {v.status:<9} {', '.join(v.layers) or '-'}")
    leaked = [c["file"] for c in hostile if verdicts[c["file"]].status != "rejected"]
    print(
        f"{'hostile patches rejected':<28} {len(hostile) - len(leaked)}/{len(hostile)}"
        + (f"  NOT REJECTED: {leaked}" if leaked else "")
    )
    return 1 if leaked else 0


if __name__ == "__main__":
    raise SystemExit(main())
