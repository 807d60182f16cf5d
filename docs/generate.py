"""Regenerate the parameter table in docs/ODD.md from the scenario schema."""

from pathlib import Path

from zhaoshang.scenarios.docs import splice

ODD = Path(__file__).parent / "ODD.md"


def main() -> None:
    ODD.write_text(splice(ODD.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {ODD}")


if __name__ == "__main__":
    main()
