"""The PCI DSS v4.0 mapping (`policies/pci_dss_v4.toml`): requirement titles, and the
requirements each control (check id) evidences."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from tap.audit.scan import POLICIES
from tap.errors import UsageError

MAPPING_FILE = POLICIES / "pci_dss_v4.toml"


@dataclass(frozen=True)
class Mapping:
    requirements: dict[str, str]  # id -> title, in the file's order
    controls: dict[str, tuple[str, ...]]  # check id -> requirement ids

    @classmethod
    def load(cls, path: Path = MAPPING_FILE) -> Mapping:
        try:
            data = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise UsageError(f"cannot read the requirement mapping {path}: {error}") from None
        controls = {check: tuple(ids) for check, ids in data.get("controls", {}).items()}
        return cls(dict(data.get("requirements", {})), controls)

    def requirements_of(self, check_id: str) -> tuple[str, ...]:
        return self.controls.get(check_id, ())

    def undefined_requirements(self) -> dict[str, list[str]]:
        """Controls that cite a requirement id the file does not define."""
        return {
            check: missing
            for check, ids in self.controls.items()
            if (missing := [i for i in ids if i not in self.requirements])
        }
