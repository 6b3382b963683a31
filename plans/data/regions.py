"""Which regional office covers which country (ISO 3166-1 alpha-3).

This is the organisation's own administrative map, not an ISO list, so it lives here as data;
country names and codes themselves come from pycountry. A test checks every code exists there.
Countries and territories absent here have no region until an administrator assigns one.
"""

REGIONS: dict[str, list[str]] = {
    "Asia and the Pacific": (
        "AFG AUS BGD BTN BRN KHM CHN FJI FSM HKG IDN IND IRN JPN KIR KOR LAO MAC MDV MHL MMR MNG "
        "NPL NRU NZL PAK PHL PLW PNG PRK SGP SLB LKA THA TLS TON TUV VNM VUT WSM COK NIU"
    ).split(),
    "Central and North America and the Caribbean": (
        "ATG BHS BLZ BRB CAN CRI CUB DMA DOM GRD GTM HND HTI JAM KNA LCA MEX NIC PAN SLV TTO USA "
        "VCT ABW CUW SXM TCA VGB AIA MSR CYM BMU"
    ).split(),
    "East and Horn of Africa": "BDI DJI ERI ETH KEN RWA SDN SOM SSD TZA UGA".split(),
    "European Economic Area": (
        "AUT BEL BGR CHE CYP CZE DEU DNK ESP EST FIN FRA GBR GRC HRV HUN IRL ISL ITA LIE LTU LUX "
        "LVA MLT NLD NOR POL PRT ROU SVK SVN SWE"
    ).split(),
    "Middle East and North Africa": "ARE BHR DZA EGY IRQ JOR KWT LBN LBY MAR OMN PSE QAT SAU SYR TUN YEM".split(),
    "South America": "ARG BOL BRA CHL COL ECU GUY PER PRY SUR URY VEN".split(),
    "South-Eastern Europe, Eastern Europe and Central Asia": (
        "ALB ARM AZE BIH BLR GEO KAZ KGZ MDA MKD MNE RUS SRB TJK TKM TUR UKR UZB"
    ).split(),
    "Southern Africa": "AGO BWA COM LSO MDG MOZ MUS MWI NAM SWZ SYC ZAF ZMB ZWE COD".split(),
    "West and Central Africa": (
        "BEN BFA CAF CIV CMR COG CPV GAB GHA GIN GMB GNB GNQ LBR MLI MRT NER NGA SEN SLE STP TCD TGO"
    ).split(),
}
