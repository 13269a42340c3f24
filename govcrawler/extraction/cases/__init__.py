"""Case records from archived articles: who, which position, which measures (pure functions).

`extract_cases(record)` gives the case rows of one article record; `merge.merge_rows(rows)`
joins rows into one timeline per person. Modules: names (where a name is and ends), positions,
regions, actions (measures and dates), extract (the article), merge, evaluation (scoring against
labels). Fields: govcrawler/schema/case.schema.json.
"""

from govcrawler.extraction.cases.extract import extract_cases
from govcrawler.extraction.cases.model import CaseRow, Person, Stage

__all__ = ["CaseRow", "Person", "Stage", "extract_cases"]
