"""Where the app finds its scenarios and saves what-ifs: from the command line, through the environment.

``python -m sim app`` sets these variables for the Solara server it starts;
``solara run sim.app.app`` reads the same ones (with the defaults below, from
the repository root).

- ``SIM_APP_ROOT``: the folder scenario paths are relative to (default: the current one);
- ``SIM_APP_SAVE_DIR``: where "Save what-if" writes (default: ``scenarios/whatif`` under the root);
- ``SIM_APP_SCENARIO``: the scenario the page opens with (default: ``scenarios/campaign.yaml``).

A page (a browser tab) may save into a folder of its own inside the save folder, named in its address
(``http://localhost:8765/?folder=group-a``): the setting is the page's, so two tabs of one server each save, and list
in their picker, what their own address says (:meth:`AppConfig.of_page`).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs

from ..errors import InputError
from .settings import CONTROLS, Controls, load_controls, scenario_files

DEFAULT_SCENARIO = "scenarios/campaign.yaml"
FOLDER = "folder"  # the page address's query parameter: the folder, inside the save folder, that the page saves into


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

    @classmethod
    def of_page(cls, search: str | None) -> AppConfig:
        """The configuration of one page, whose address has the query string ``search``: the server's
        (:meth:`from_env`), saving into the folder the address names (:func:`page_folder`).

        Raises:
            InputError: the address names a folder that is not inside the save folder, or names it ill.
        """
        config = cls.from_env()
        return dataclasses.replace(config, save_dir=page_folder(search, config.save_dir))

    def scenario_files(self) -> list[str]:
        return scenario_files(self.root, [self.save_dir])

    @property
    def whatif_dirs(self) -> tuple[Path, ...]:
        return (self.save_dir,)

    def environment(self) -> dict[str, str]:
        """The variables that hand this configuration to a server process."""
        return {"SIM_APP_ROOT": str(self.root), "SIM_APP_SAVE_DIR": str(self.save_dir), "SIM_APP_SCENARIO": self.default}


def page_folder(search: str | None, save_dir: Path) -> Path:
    """Where a page whose address has the query string ``search`` saves: ``save_dir``, or the folder inside it named
    by ``?folder=`` (a relative path, made at the first save).

    A folder outside ``save_dir`` is refused, not taken: whoever can reach the server can open any address, and the
    server's own folder is the one its user chose to be written into.

    Raises:
        InputError: ``folder`` is given twice, empty, as an absolute path, or through '..' (or a link) out of ``save_dir``.
    """
    asked = parse_qs(search or "", keep_blank_values=True).get(FOLDER)
    if asked is None:
        return save_dir
    folder = PurePosixPath(asked[0])
    outside = (len(asked) > 1 or not asked[0].strip() or "\0" in asked[0] or folder.is_absolute() or ".." in folder.parts
               or not (save_dir / folder).resolve().is_relative_to(save_dir.resolve()))
    if outside:
        said = " and ".join(repr(a) for a in asked)
        raise InputError(None, f"This page's address asks to save into {said} (?{FOLDER}=), which is not one folder inside "
                               f"the save folder, {save_dir}: give a relative path such as ?{FOLDER}=group-a, or open "
                               f"the page without ?{FOLDER}= to save into {save_dir} itself.")
    return save_dir / folder
