"""The unit the scale generator works in: a county of townships, written by `write_county` through whichever writer
the run has (this process's `RowWriter`, or a worker process's `seeding.scale.in_processes.CountyWriter`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from seeding.scale import appraisal, dues, funds, names, org, orglife, standing, work
from seeding.scale.plan import Run
from township.models import County, Township


@dataclass(frozen=True)
class CountyPlan:
    """One county of the run: its place in the run (0-based), account number, name, region code and townships."""

    index: int
    number: int  # the viewer account is c001
    name: str
    region: str  # the first six digits of its members' ID numbers: no other county has them
    townships: tuple[tuple[int, str], ...]  # (number, name)


def county_plans(run: Run, townships: int, first_township: int, first_county: int, per_county: int):
    """The run's counties, `per_county` townships each (the last may have fewer), their names drawn once."""
    rng = run.rng_for("names", "names")
    n_counties = math.ceil(townships / per_county)
    county_names = names.county_names(rng, n_counties, County.objects.values_list("name", flat=True))
    town_names = names.township_names(rng, townships, Township.objects.values_list("name", flat=True))
    return [
        CountyPlan(
            index=k,
            number=first_county + k,
            name=county_names[k],
            region=names.region_code(first_county + k),
            townships=tuple(
                (first_township + i, town_names[i]) for i in range(k * per_county, min(townships, (k + 1) * per_county))
            ),
        )
        for k in range(n_counties)
    ]


def write_county(run: Run, county: CountyPlan, done: Callable[[], None] = lambda: None) -> None:
    """A county with its viewer account and every township's records (`done` called after each township). Its ID
    and phone numbers are drawn unique within the county (ID numbers start with the county's own region code, so
    they are unique across the run as well), so a county's data does not depend on the others: the counties can be
    generated in any order, or side by side (`seeding.scale.in_processes`)."""
    run.identities = names.Identities(run.taken_hashes)
    with run.stages("org tree, accounts, members"):
        county_id = org.write_county(run, county.number, county.name)
    for number, name in county.townships:
        with run.stages("org tree, accounts, members"):
            town = org.write_township(run, number=number, name=name, county_id=county_id, region=county.region)
        with run.stages("reports and activities"):
            work.write_reports(run, town)
        with run.stages("organisational life"):
            orglife.write_orglife(run, town)
        with run.stages("concerns"):
            work.write_concerns(run, town)
        with run.stages("fund ledgers and projects"):
            funds.write_ledgers(run, town)
        with run.stages("appraisal and awards"):
            appraisal.write_appraisals(run, town)
        with run.stages("standing and members away"):
            standing.write_standing(run, town)
        with run.stages("dues"):
            dues.write_dues(run, town)
        done()


def progress(done: int, townships: int, elapsed: float) -> str:
    return f"  {done}/{townships} townships · {elapsed:.0f}s · about {elapsed / done * (townships - done):.0f}s to go"
