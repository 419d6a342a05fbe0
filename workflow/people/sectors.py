"""The sectors an agency may be in: the bodies Section 11 of the Children Act 2004 applies to
(Working Together to Safeguard Children), and the voluntary, faith and commissioned services that
partnerships also audit, with schools and colleges (whose safeguarding duty is section 175 of the
Education Act 2002, not section 11). A statutory body's sector makes it statutory; the others are not."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sector:
    name: str
    statutory: bool
    # Other names people write in their spreadsheets for the same sector (compared in lower case).
    also: tuple[str, ...] = ()


SECTORS: tuple[Sector, ...] = (
    Sector("Local authority", True, ("council", "district council", "county council", "children's services",
                                      "children's social care", "public health", "housing")),
    Sector("Health", True, ("nhs", "nhs trust", "nhs foundation trust", "integrated care board", "icb",
                             "clinical commissioning group", "ccg", "health (nhs)")),
    Sector("Police", True, ("police force", "police and crime commissioner", "pcc")),
    Sector("British Transport Police", True, ("btp",)),
    Sector("Probation", True, ("probation service", "national probation service")),
    Sector("Prison or young offender institution", True, ("prison", "young offender institution", "yoi")),
    Sector("Secure training centre", True, ("stc",)),
    Sector("Secure college", True, ()),
    Sector("Youth justice", True, ("youth justice service", "youth offending service", "youth offending team", "yot",
                                    "yos")),
    Sector("Commissioned service", False, ("commissioned", "commissioned provider", "private", "private provider")),
    Sector("Voluntary", False, ("voluntary sector", "voluntary and community", "voluntary and community sector", "vcs",
                                 "vcse", "charity", "community")),
    Sector("Education", False, ("school", "schools", "academy", "college", "further education", "early years",
                                 "nursery")),
    Sector("Faith", False, ("faith sector", "faith group", "faith organisation", "church")),
)

SECTOR_NAMES: tuple[str, ...] = tuple(s.name for s in SECTORS)
_BY_WORD = {word: s for s in SECTORS for word in (s.name.lower(), *s.also)}


def sector_named(text: str) -> Sector | None:
    """The sector a person meant, by its name or a common other name, whatever the case and spacing."""
    return _BY_WORD.get(" ".join(text.replace("’", "'").split()).lower())


def sector_problems(sector: str, statutory: bool | None) -> list[str]:
    """What is wrong with this sector and statutory status (None: not said), in words that say what to do."""
    if not sector.strip():
        return [f"Enter the agency's sector, one of: {', '.join(SECTOR_NAMES)}."]
    found = sector_named(sector)
    if found is None:
        return [f"“{sector.strip()}” is not a sector Section 11 knows: use one of {', '.join(SECTOR_NAMES)}."]
    if statutory is None:
        return []
    if found.statutory and not statutory:
        return [f"Agencies in the {found.name} sector are statutory under Section 11: statutory must be yes."]
    if not found.statutory and statutory:
        return [
            f"Agencies in the {found.name} sector are not statutory under Section 11: statutory must be no, "
            "or the sector must be the statutory body's."
        ]
    return []
