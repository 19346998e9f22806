"""The folder a page saves into, a setting of the page (its address's ``?folder=``), not of the server: each browser tab
saves where its own address says, inside the server's save folder, and an address naming a folder outside it is
refused with the reason, the page saving nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("solara", reason="the app extra is not installed (pip install -e '.[app]')")

import ipyvuetify as v  # noqa: E402

from sim.app.config import page_folder  # noqa: E402
from sim.errors import InputError  # noqa: E402

from .app_page import button, page_saving_into, texts  # noqa: E402


@pytest.mark.parametrize(("search", "inside"), [
    (None, ""), ("", ""), ("theme=dark", ""),
    ("folder=group-a", "group-a"), ("folder=for%2Fthe%2Fseminar", "for/the/seminar"),
    ("folder=for_the%3Asmile%3A_seminar%2F%24HOME%24_x", "for_the:smile:_seminar/$HOME$_x"),
])
def test_a_page_saves_into_the_folder_its_address_names_inside_the_save_folder(tmp_path, search, inside):
    assert page_folder(search, tmp_path) == tmp_path / inside


@pytest.mark.parametrize("search", ["folder=..%2Fother", "folder=a%2F..%2F..%2Fother", "folder=%2Ftmp", "folder=",
                                    "folder=a&folder=b", "folder=a%00b", "folder=out"])
def test_an_address_naming_a_folder_outside_the_save_folder_is_refused(tmp_path, search):
    """Whoever can reach the server can open any address: a folder outside the one its user gave (through '..', an
    absolute path, or a link in it that leads out) is not written into."""
    (tmp_path / "save").mkdir()
    (tmp_path / "save" / "out").symlink_to(tmp_path)
    with pytest.raises(InputError, match=r"which is not one folder inside the save folder, .*save: give a relative path"):
        page_folder(search, tmp_path / "save")


def save_no_spring_shield(rc, name: str) -> None:  # noqa: ANN001
    [c for c in rc.find(v.Checkbox).widgets if c.label == "No Spring Shield"][0].v_model = True
    rc.find(v.Tabs).widget.v_model = 3  # Save & export
    rc.find(v.TextField).widget.v_model = name
    button(rc, "Save what-if").click()


def test_two_pages_of_one_server_each_save_into_the_folder_their_address_names(tmp_path, monkeypatch):
    """The save folder was the server's, one for every tab: a test saving into a folder of its own needed a server of
    its own. Each page now saves, and lists in its picker, in the folder its own address names; the Save tab says which."""
    with page_saving_into(tmp_path, monkeypatch, "/?folder=group-a") as (box, rc, _):
        save_no_spring_shield(rc, "mine")
        said = texts(box)
        listed = [item["value"] for item in rc.find(v.Select).widget.items]
    with page_saving_into(tmp_path, monkeypatch, "/") as (box, rc, _):
        before = [item["value"] for item in rc.find(v.Select).widget.items]
        save_no_spring_shield(rc, "mine")
        said_plain = texts(box)
    assert f"A YAML file in <code>{tmp_path / 'group-a'}</code> that" in said and f"Saved {tmp_path / 'group-a' / 'mine.yaml'}." in said
    assert str(tmp_path / "group-a" / "mine.yaml") in listed, "the picker lists the page's own folder"
    assert not any("group-a" in item for item in before), "nor does a page of the save folder list another's"
    assert f"A YAML file in <code>{tmp_path}</code> that" in said_plain and f"Saved {tmp_path / 'mine.yaml'}." in said_plain
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.yaml")) == ["group-a/mine.yaml", "mine.yaml"]


def test_a_page_whose_address_names_a_folder_outside_the_save_folder_says_so_and_saves_nothing(tmp_path, monkeypatch):
    with page_saving_into(tmp_path, monkeypatch, "/?folder=..%2Felsewhere") as (box, rc, _):
        shown = texts(box)
        assert not [b for b in rc.find(v.Btn).widgets if "Save" in str(b.children)]
    assert f"This page's address asks to save into '../elsewhere' (?folder=), which is not one folder inside the save " \
           f"folder, {tmp_path}" in shown, shown
    assert not list(Path(tmp_path).parent.glob("elsewhere"))
