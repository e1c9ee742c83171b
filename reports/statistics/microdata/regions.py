"""Countries by UN M49 region, the rung a rare citizenship or country of exploitation is
generalised to in a microdata release [SPEC 2.8].

A static table: the five regions of the UN Statistics Division's "Standard country or area
codes for statistical use" (M49), keyed by the ISO 3166-1 alpha-2 codes django-countries
stores. M49 gives Antarctica no region, and lists Taiwan under no code of its own (it is
placed in Asia here, where M49's "China" is); every other code django-countries knows is in
exactly one region (tests/test_microdata.py checks it).
"""

AFRICA, AMERICAS, ASIA, EUROPE, OCEANIA = "Africa", "Americas", "Asia", "Europe", "Oceania"

_MEMBERS = {
    AFRICA: (
        "DZ EG EH LY MA SD TN "  # Northern Africa
        "BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW "  # Eastern Africa
        "AO CD CF CG CM GA GQ ST TD "  # Middle Africa
        "BW LS NA SZ ZA "  # Southern Africa
        "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG"  # Western Africa
    ),
    AMERICAS: (
        "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI "  # Caribbean
        "BZ CR GT HN MX NI PA SV "  # Central America
        "AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE "  # South America
        "BM CA GL PM US"  # Northern America
    ),
    ASIA: (
        "KG KZ TJ TM UZ "  # Central Asia
        "CN HK JP KP KR MN MO TW "  # Eastern Asia
        "BN ID KH LA MM MY PH SG TH TL VN "  # South-eastern Asia
        "AF BD BT IN IR LK MV NP PK "  # Southern Asia
        "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE"  # Western Asia
    ),
    EUROPE: (
        "BG BY CZ HU MD PL RO RU SK UA "  # Eastern Europe
        "AX DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ "  # Northern Europe
        "AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA "  # Southern Europe
        "AT BE CH DE FR LI LU MC NL"  # Western Europe
    ),
    OCEANIA: (
        "AU CC CX HM NF NZ "  # Australia and New Zealand
        "FJ NC PG SB VU "  # Melanesia
        "FM GU KI MH MP NR PW UM "  # Micronesia
        "AS CK NU PF PN TK TO TV WF WS"  # Polynesia
    ),
}

REGION = {code: region for region, codes in _MEMBERS.items() for code in codes.split()}
REGIONS = tuple(_MEMBERS)


def region_of(*, code):
    """The M49 region of an ISO alpha-2 code, or None (no code, or Antarctica)."""
    return REGION.get(code or "")
