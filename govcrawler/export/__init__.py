"""Export: the run files of clean article JSONL (durable writer, recovery of a killed run's files,
the RunFileExport extension), the item pipelines in front of them, and atomic feed storage for
`-o/-O` feeds."""
