"""Demo sections, places and organisations of the Racibórz county."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from wiesci.core.demo import DemoContext
from wiesci.taxonomy.models import Organisation, Place, Section

DATA = Path(__file__).with_name("demo.toml")


def has_content() -> bool:
    return Section.objects.exists() or Place.objects.exists()


def load(context: DemoContext) -> None:
    data: dict[str, Any] = tomllib.loads(DATA.read_text())
    for position, entry in enumerate(data["section"]):
        Section.objects.create(
            name=entry["name"],
            slug=entry["slug"],
            description=entry["description"],
            position=position,
        )
    places = {}
    for entry in data["place"]:
        places[entry["name"]] = Place.objects.create(
            name=entry["name"],
            gmina=entry["gmina"],
            kind=entry["kind"],
            description=entry["description"],
            # Forms the dictionary gets wrong are corrected in the data.
            phrase_from=entry.get("phrase_from", ""),
            phrase_in=entry.get("phrase_in", ""),
        )
    organisations = {}
    for entry in data["organisation"]:
        organisations[entry["key"]] = Organisation.objects.create(
            name=entry["name"],
            short_name=entry.get("short_name", ""),
            kind=entry["kind"],
            place=places.get(entry.get("place", "")),
            website=entry.get("website", ""),
            description=entry.get("description", ""),
        )
    for entry in data["organisation"]:
        partners = [organisations[key] for key in entry.get("partners", [])]
        organisations[entry["key"]].partners.add(*partners)
    context.shared["places"] = places
    context.shared["organisations"] = organisations
    context.say(
        f"  {len(data['section'])} sections, {len(places)} places, "
        f"{len(organisations)} organisations"
    )
