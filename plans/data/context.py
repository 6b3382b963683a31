"""The catalogs a plan chooses its ways of working from, in the order the published plans (2024
on) list them: slug → name. Loaded by plans.catalogs; an entry is retired, never removed."""

OPERATING_MODALITIES = {
    "participation-and-empowerment": "Participation and empowerment",
    "conflict-sensitivity": "Conflict sensitivity",
    "integrated-programming": "Integrated programming",
    "collaboration-and-partnership": "Collaboration and partnership",
    "localization": "Localization",
    "cash-based-interventions": "Cash-based interventions",
}

CROSS_CUTTING_PRIORITIES = {
    "data-and-evidence": "Data and evidence",
    "protection-mainstreaming": "Protection mainstreaming",
    "gender-equality": "Gender equality",
    "psea": "Prevention of sexual exploitation and abuse",
    "disaster-risk": "Disaster risk",
    "climate-change": "Climate change",
    "law-and-policy": "Law and policy",
}
