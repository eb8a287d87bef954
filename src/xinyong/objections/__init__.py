"""Objections (异议): a subject (or, where the regime allows, anyone) objects to a record, a list
entry or a measure; the providing department verifies on the regime's clock and corrects,
revokes or keeps it, with reasons; the record is marked 异议处理中 while the objection is open."""
