"""Where the app finds its scenarios and saves what-ifs: from the command line, through the environment.

``python -m sim app`` sets these variables for the Solara server it starts;
``solara run sim.app.app`` reads the same ones (with the defaults below, from
the repository root).

- ``SIM_APP_ROOT``: the folder scenario paths are relative to (default: the current one);
- ``SIM_APP_SAVE_DIR``: where "Save what-if" writes (default: ``scenarios/whatif`` under the root);
- ``SIM_APP_SCENARIO``: the scenario the page opens with (default: ``scenarios/campaign.yaml``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .settings import CONTROLS, Controls, load_controls, scenario_files

DEFAULT_SCENARIO = "scenarios/campaign.yaml"


@dataclass(frozen=True)
class AppConfig:
    root: Path
    save_dir: Path
    controls: Controls
    default: str

    @classmethod
    def from_env(cls) -> AppConfig:
        root = Path(os.environ.get("SIM_APP_ROOT") or ".")
        save_dir = Path(os.environ.get("SIM_APP_SAVE_DIR") or root / "scenarios" / "whatif")
        default = os.environ.get("SIM_APP_SCENARIO") or DEFAULT_SCENARIO
        return cls(root, save_dir, load_controls(root / CONTROLS), default)

    def scenario_files(self) -> list[str]:
        return scenario_files(self.root, [self.save_dir])

    @property
    def whatif_dirs(self) -> tuple[Path, ...]:
        return (self.save_dir,)

    def environment(self) -> dict[str, str]:
        """The variables that hand this configuration to a server process."""
        return {"SIM_APP_ROOT": str(self.root), "SIM_APP_SAVE_DIR": str(self.save_dir), "SIM_APP_SCENARIO": self.default}
