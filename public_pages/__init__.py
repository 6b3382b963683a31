"""The donors' public pages (no login): home, plan list and plan page, the funding dashboard, their
filter form, charts and CSV/XLSX downloads, and the `public` template tags. They read all four
content apps (figures come from funding.selectors and the stored rollups), so they sit above
them: no content app imports public_pages; the URLconf does."""
