"""Regenerate the parameter table in docs/ODD.md from the scenario schema, and
docs/glossary.md from the glossary (zhaoshang/glossary/*.toml)."""

from pathlib import Path

from zhaoshang.i18n import glossary_markdown
from zhaoshang.scenarios.docs import splice

ODD = Path(__file__).parent / "ODD.md"
GLOSSARY = Path(__file__).parent / "glossary.md"


def main() -> None:
    ODD.write_text(splice(ODD.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {ODD}")
    GLOSSARY.write_text(glossary_markdown(), encoding="utf-8")
    print(f"updated {GLOSSARY}")


if __name__ == "__main__":
    main()
