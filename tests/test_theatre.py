"""The Idlib theatre's data: complete, sourced, connected, where it should be."""

import csv

import networkx as nx
import numpy as np
import pytest

from sim.io.theatre import load_theatre

from .conftest import ROOT

THEATRE = ROOT / "scenarios" / "theatres" / "idlib.yaml"


@pytest.fixture(scope="module")
def idlib():
    return load_theatre(THEATRE)


def names(t, nodes):
    return [t.towns[i] for i in nodes]


def test_size_and_road_ends(idlib):
    assert idlib.n >= 63
    for city in ("Aleppo", "Hama", "Latakia"):
        idlib.town(city)


def test_roads_connect_every_town(idlib):
    assert nx.is_connected(idlib.graph)
    assert set(idlib.roads) == {"M4", "M5", "secondary"}
    assert (idlib.edge_km > 0.5).all() and (idlib.edge_km < 80).all()


def test_m4_runs_latakia_to_saraqib_in_order(idlib):
    path, km = idlib.road_path(idlib.town("Latakia"), idlib.town("Saraqib"), "M4")
    order = ["Latakia", "Ain al-Havr", "Bidama", "Jisr al-Shughur", "Mhambal", "Urum al-Jawz", "Ariha", "Nayrab (Idlib)", "Tronba", "Saraqib"]
    assert names(idlib, path) == order
    assert np.all(np.diff(km) > 0)


def test_m5_runs_hama_to_aleppo_through_saraqib(idlib):
    path, _ = idlib.road_path(idlib.town("Hama"), idlib.town("Aleppo"), "M5")
    seq = names(idlib, path)
    for a, b in [("Hama", "Morek"), ("Morek", "Khan Shaykhun"), ("Khan Shaykhun", "Maarat al-Numan"), ("Maarat al-Numan", "Saraqib"), ("Saraqib", "Aleppo")]:
        assert seq.index(a) < seq.index(b)


def test_patrol_route_length_close_to_protocol(idlib):
    # The protocol gives about 71 km from Tronba to Ain al-Havr.
    _, km = idlib.road_path(idlib.town("Tronba"), idlib.town("Ain al-Havr"), "M4")
    assert 60 < km[-1] < 90


def test_coordinates_inside_the_theatre_box(idlib):
    assert ((idlib.lat > 35.0) & (idlib.lat < 36.6)).all()
    assert ((idlib.lon > 35.7) & (idlib.lon < 37.3)).all()


def test_every_town_has_a_coordinate_source_and_status():
    with open(THEATRE.parent / "idlib.towns.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        assert row["coord_source"].strip(), row["name"]
        assert row["coord_status"] in ("verified", "approximate"), row["name"]
        assert row["control_source"].strip(), row["name"]
    assert sum(r["coord_status"] == "verified" for r in rows) >= 40


def test_two_control_snapshots(idlib):
    import datetime as dt

    dec, mar = idlib.control[dt.date(2019, 12, 1)], idlib.control[dt.date(2020, 3, 6)]
    # The government gained ground over the winter and lost none of its December towns.
    assert (mar == 0).sum() > (dec == 0).sum() + 20
    assert not ((dec == 0) & (mar != 0)).any()


def test_posts_attach_to_towns(idlib):
    astana = [p for p in idlib.posts if p.id.startswith("astana-")]
    assert len(astana) == 12
    assert idlib.town("Morek") in {p.town for p in astana}
    assert len(idlib.posts) >= 20


def test_alternative_spellings_resolve(idlib):
    assert idlib.town("Saraqeb") == idlib.town("Saraqib")
    with pytest.raises(KeyError, match="did you mean 'Saraqib'"):
        idlib.town("Saraqibb")
