"""Victim records exchanged in IOM's Human Trafficking Case Data Standard, HTCDS 2.0 [SPEC 2.3,
SPEC 3 interoperability]: a file with the standard's field names as headers, one row per victim.

    fields.FIELDS          every column, in the order written: HTCDS's, then this system's (tip_)
    export.build(user)     the export as a tables.Report, for the export jobs (reports/exports)
    importing.run(job)     an uploaded file validated whole, then written whole or not at all

The HTCDS case is one person's assistance case; ours is a criminal case with many victims. So a
row is a victim, and its case-level fields (cas_*) speak of the cases that victim is linked to
and the referrals of the exporter's agency.

What the standard cannot say this system keeps in columns of its own, named `tip_...`: the
victim's code, the exact status (potential and presumed are both HTCDS's "possible victim"),
values that are extensions of a picklist (exported as HTCDS `Other`), and the links to cases.
Another HTCDS system ignores them; this one reads them back, so a file goes out and comes back
with the same victims, values and links.

Never exported: the shelter location (meaningless elsewhere and the most dangerous line we
hold), counselling notes, safety plans, relatives under protection, consent records (consent is
given to an agency for a purpose and cannot travel with the file: the receiving agency asks
again), and anything of a case the exporter may not see.
"""
