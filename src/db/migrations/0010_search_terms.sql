-- Every word the full-text index holds, so a prefix typed in the search box can be spelled
-- out as the whole words it stands for (see src/search.rs). Filled from the index's own
-- vocabulary by the migration's hook, then by each write.
CREATE TABLE search_terms (
    term TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;
